/** `labbook sweep create | show | stop` on the team store (PostgreSQL): a sweep whose trials `labbook worker`s run; no training here. */
import { resolve } from 'node:path';
import { LabbookError } from '../../errors';
import { openRegistry, type Registry } from '../../registry';
import { explainDatabaseError } from '../../registry/file';
import { resolveDbPath } from '../../registry/paths';
import type { Json } from '../../registry/types';
import { checkSweepDefinition, type SweepDefinition } from '../../sweep/define';
import { TAG } from '../../sweep/load';
import { startSweepParent } from '../../sweep/run';
import { withTeamStore } from '../team-store';
import { explainTeamError, openTeamStore, type TeamStore } from '../../team/connect';
// The queue's files, not its index: the index loads the worker loop and `pg` with it.
import { stopSweep } from '../../team/queue/complete';
import { openSweepRun } from '../../team/queue/finish';
import { createTeamSweep, getTeamSweep, listTeamSweeps, listTrials, type QueueTrial } from '../../team/queue/sweeps';
import { syncToTeam } from '../../team/sync/sync';
import { readState } from '../../team/sync/local';
import { redactUrl, teamKey } from '../../team/sync/url';
import { isoTime, print, printJson } from '../command';
import { fitTable, formatTime } from '../format';
import { analysis, counts, leaderboard, renderSweep, writeSweepPage, type SweepView } from './sweep-format';

export interface CreateOptions {
  /** The local registry the sweep's parent run is recorded in (default as resolveDbPath). */
  local?: string;
  maxAttempts: number;
  json: boolean;
}

/**
 * Records the sweep's parent run locally, syncs it to get its team run id, then creates the team
 * sweep. The team store is reached (and migrated) before anything is recorded; if it goes away
 * later, what was recorded is undone (the local parent deleted) or, when its run row already
 * reached the team store, ended failed with the reason, so a retry never leaves two live sweeps.
 */
export async function createTeamSweepFrom(url: string, given: SweepDefinition, options: CreateOptions): Promise<number> {
  const shown = redactUrl(url);
  let store: TeamStore;
  try {
    store = await openTeamStore(url, { max: 1 });
  } catch (error) {
    return notCreated(error, 'nothing was recorded');
  }
  try {
    const path = options.local ? resolve(options.local) : resolveDbPath(url);
    let registry: Registry;
    try {
      registry = openRegistry({ db: path, create: true });
    } catch (error) {
      throw explainDatabaseError(error, path);
    }
    try {
      const { definition, parent } = startSweepParent(registry, given);
      let id: number;
      let teamRunId: number | null = null;
      try {
        const synced = await syncToTeam(registry, url, { runIds: [parent.id] });
        teamRunId = readState(registry.db, parent.id, teamKey(url))?.teamRunId ?? null;
        if (synced.error !== null || teamRunId === null) throw new LabbookError('TEAM_STORE', synced.error ?? `The team store at ${shown} has no run for the sweep's parent run ${parent.id}.`);
        id = await createTeamSweep(store.pool, { experiment: definition.experiment, definition: definition as unknown as Json, seed: definition.seed, maxAttempts: options.maxAttempts, runId: teamRunId });
      } catch (error) {
        const said = explainTeamError(error, shown);
        parent.end('failed', `Team sweep not created: ${said instanceof Error ? said.message : String(said)}`);
        if (teamRunId === null) {
          registry.deleteRun(parent.id);
          return notCreated(said, 'nothing was kept');
        }
        return notCreated(said, `its parent run ${parent.id} is recorded failed (\`labbook sync\` marks the team store's copy, run ${teamRunId}, failed too)`);
      }
      // The local parent only holds the definition: the team sweep's own status is in the team store.
      parent.setTags({ 'sweep.team_sweep': String(id) });
      parent.end('finished');
      const after = await syncToTeam(registry, url, { runIds: [parent.id] });
      // In the team store the sweep's run is running until the sweep ends (the queue finishes it then).
      if (after.error === null) await openSweepRun(store.pool, id);
      const command = `labbook worker --sweep ${id} --db ${shown}`;
      if (options.json) {
        printJson({ id, runId: teamRunId, localRunId: parent.id, team: shown, worker: command, synced: after.error === null });
      } else {
        print([
          `team sweep ${id} created on ${shown} (run ${teamRunId}; local parent run ${parent.id}): ${definition.experiment}, ${budgetText(definition)}, seed ${definition.seed}`,
          'start a worker on each machine, in the project checkout:',
          `  ${command}`,
          `then: labbook sweep show ${id} --db ${shown}`,
          ...(after.error !== null ? [`(the parent run's end was not synced yet: ${after.error}; \`labbook sync\` pushes it)`] : []),
        ].join('\n'));
      }
      return 0;
    } finally {
      registry.close();
    }
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** A failure of the team store as one line on stderr, exit 1: nothing to fix in the command, run it again. */
function notCreated(error: unknown, kept: string): number {
  if (!(error instanceof LabbookError) || error.code !== 'TEAM_STORE') throw error;
  const message = error.message.replace(/ runs are still recorded locally and sync later\.$/, '');
  process.stderr.write(`labbook: Sweep not created: ${redactUrl(message)} (${kept}; run the same command again once the team store answers).\n`);
  return 1;
}

function budgetText(d: SweepDefinition): string {
  return [d.budget.trials !== null ? `${d.budget.trials} trials` : null, d.budget.timeS !== null ? `${d.budget.timeS} s` : null].filter(Boolean).join(', ') || 'the whole grid';
}

/** `sweep show ID --db postgres://...`: the local show's output, from the sweeps row and its trials. */
export async function showTeamSweep(url: string, id: number, json: boolean, page?: { file: string; inline: boolean }): Promise<number> {
  return withTeamStore(url, async (store) => {
    const [team, trials] = await explained(store, async () => [await getTeamSweep(store.pool, id), await listTrials(store.pool, id)] as const);
    const definition = checkSweepDefinition(team.definition);
    const view: SweepView = {
      id,
      definition,
      trials: trials.map(({ number, params, state, value, intermediate }) => ({ number, params, state, value, intermediate })),
      runIds: trials.map((t) => t.runId),
      reasons: await reasons(store, trials),
      queue: trials.map((t) => ({ attempts: t.attempts, worker: t.worker })),
    };
    const stopped = team.status === 'stopped' ? 'labbook sweep stop' : null;
    const written = page ? writeSweepPage(view, page.file, page.inline) : null;
    if (json) {
      const { best, importance } = analysis(view);
      printJson({ id, status: team.status, stopped, runId: team.runId, maxAttempts: team.maxAttempts, definition, counts: counts(view), best, importance, leaderboard: leaderboard(view), trials, ...(written ? { html: written } : {}) });
    } else {
      if (written) process.stderr.write(`wrote ${written}\n`);
      print(renderSweep(view, { status: team.status, resumed: false, stopped }));
    }
    return 0;
  });
}

/** `sweep list --db postgres://...`: every team sweep, newest first, its trials counted by queue state. */
export async function listTeamSweepsCommand(url: string, json: boolean): Promise<number> {
  return withTeamStore(url, async (store) => {
    const sweeps = await explained(store, () => listTeamSweeps(store.pool));
    if (json) printJson(sweeps.map((s) => ({ ...s, createdAt: isoTime(s.createdAt) })));
    else if (sweeps.length === 0) print(`no sweeps in the team store at ${store.url}: create one with \`labbook sweep create FILE --db postgres://...\``);
    else {
      const header = ['id', 'experiment', 'sampler', 'status', 'complete', 'pruned', 'running', 'queued', 'failed', 'created'];
      const rows = sweeps.map((s) => [s.id, s.experiment, s.sampler, s.status, s.trials.complete, s.trials.pruned, s.trials.running, s.trials.queued, s.trials.failed, formatTime(s.createdAt)]);
      print(fitTable(header, rows, undefined, 0, [0, 9]));
    }
    return 0;
  });
}

/** `sweep stop ID --db postgres://...`: workers claim nothing more; trials already running may still complete. */
export async function stopTeamSweep(url: string, id: number, json: boolean): Promise<number> {
  return withTeamStore(url, async (store) => {
    const before = await explained(store, () => getTeamSweep(store.pool, id));
    if (before.status === 'open') await explained(store, () => stopSweep(store.pool, id));
    const running = (await explained(store, () => listTrials(store.pool, id))).filter((t) => t.queueState === 'running').length;
    const status = before.status === 'open' ? 'stopped' : before.status;
    if (json) printJson({ id, status, was: before.status, running });
    else if (before.status !== 'open') print(`team sweep ${id} was already ${before.status}: nothing to stop`);
    else print(`team sweep ${id} stopped: workers claim no more trials${running ? ` (${running} running trial${running === 1 ? '' : 's'} may still complete)` : ''}`);
    return 0;
  });
}

/**
 * Why each trial stopped: the queue's reason, with a pruned trial's step from its team run's tag
 * (sweep.pruned_step, exact) or else its last reported step (where the pruner decided).
 */
async function reasons(store: TeamStore, trials: readonly QueueTrial[]): Promise<SweepView['reasons']> {
  const runIds = trials.filter((t) => t.queueState === 'pruned' && t.runId !== null).map((t) => t.runId);
  const steps = new Map<number, number>();
  if (runIds.length > 0) {
    const rows = await store.query<{ run_id: number; value: string }>('SELECT run_id, value FROM tags WHERE key = $1 AND run_id = ANY($2::bigint[])', [TAG.prunedStep, runIds]);
    for (const r of rows) if (/^\d+$/.test(r.value)) steps.set(r.run_id, Number(r.value));
  }
  const out: SweepView['reasons'] = {};
  for (const t of trials) {
    if (t.reason === null || (t.queueState !== 'pruned' && t.queueState !== 'failed')) continue;
    const last = t.intermediate.length ? t.intermediate[t.intermediate.length - 1].step : null;
    out[t.number] = { step: t.queueState === 'pruned' ? ((t.runId !== null ? steps.get(t.runId) : undefined) ?? last) : null, reason: t.reason };
  }
  return out;
}

/** Queue calls go straight to the pool: their driver errors get the team store's one-line explanation. */
async function explained<T>(store: TeamStore, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw explainTeamError(error, store.url);
  }
}
