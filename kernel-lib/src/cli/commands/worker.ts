/** `labbook worker --sweep ID --db postgres://...`: pulls a team sweep's trials, trains each locally as a child run, syncs it, reports it. */
import { join, resolve } from 'node:path';
import { LabbookError } from '../../errors';
import { openRegistry } from '../../registry';
import { findProjectRoot } from '../../repro/root';
import { checkSweepDefinition } from '../../sweep/define';
import { parentExperiment, TAG } from '../../sweep/load';
import { runTrial } from '../../sweep/trial-run';
import { getTeamSweep, runWorker } from '../../team/queue';
import { isPostgresUrl, redactUrl, syncToTeam, teamKey } from '../../team/sync';
import { readState } from '../../team/sync/local';
import { openTeamStore } from '../../team/connect';
import { parse, toInt } from '../args';
import type { Command } from '../command';
import { teamUrlFrom } from '../team-store';

const usage = 'labbook worker --sweep ID [--db postgres://...] [--local PATH] [--heartbeat S]';

export const worker: Command = {
  name: 'worker',
  summary: "pull a team sweep's trials from PostgreSQL and train them here, until the sweep is done (run one per machine, any number)",
  usage,
  help: "Run it in the project's checkout (trials load the sweep's experiment from it). The team store is --db or LABBOOK_DB (postgres://); runs are recorded in the local registry (--local, LABBOOK_LOCAL_DB or .labbook/labbook.db) and synced after each trial. SIGTERM: the current trial finishes, then the worker exits.",
  async run(argv) {
    const { values } = parse(argv, { sweep: { type: 'string' }, local: { type: 'string' }, heartbeat: { type: 'string' } }, usage);
    const sweepId = toInt('--sweep', values.sweep);
    if (sweepId === undefined) throw new LabbookError('INVALID_ARGUMENT', `Missing --sweep: expected the id of a team sweep, received none. Usage: ${usage}`);
    const url = teamUrlFrom(values.db, {
      missing: (received) => `No team store: expected --db postgres://... or LABBOOK_DB=postgres://..., received ${received}. Workers share a sweep through PostgreSQL.`,
    });
    const heartbeatMs = (toInt('--heartbeat', values.heartbeat) ?? 10) * 1000;
    const say = (line: string) => process.stderr.write(`worker: ${line}\n`);
    // Not migrated here: a worker needs a store someone set up (sweep create), and its role may not own the schema.
    const pool = (await openTeamStore(url, { max: 3, migrate: false })).pool;
    let team;
    try {
      team = await getTeamSweep(pool, sweepId);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw explain(error, url);
    }
    const definition = checkSweepDefinition(team.definition);
    const registry = openRegistry({ db: localPath(values.local), create: true });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
    try {
      // This worker's trials are children of one local parent, linked by sync to the team sweep's run.
      const parent = registry.startRun({
        experiment: parentExperiment(definition.experiment), config: definition as never, seed: definition.seed,
        tags: { [TAG.parent]: 'parent', 'sweep.team_sweep': String(sweepId), ...(team.runId !== null ? { 'sweep.team_parent': String(team.runId) } : {}) },
      });
      const local = new Map<number, number>();
      // Trials whose sync failed: retried at the end, and if still not pushed the worker fails loudly.
      const unsynced = new Set<number>();
      say(`sweep ${sweepId} on ${redactUrl(url)}`);
      const report = await runWorker({
        pool, sweepId, heartbeatMs, signal: stop.signal, log: say,
        trial: async (claim, ctx) => {
          const result = await runTrial({
            definition, number: claim.number, params: claim.params, registry, parentId: parent.id,
            trials: () => ctx.trials(), report: (step, value) => ctx.heartbeat({ step, value }),
          });
          local.set(claim.number, result.runId);
          // Offline first: a sync cut short by an outage leaves the run pending for `labbook sync`.
          const synced = await syncToTeam(registry, url, { runIds: [parent.id, result.runId] });
          if (synced.error) {
            unsynced.add(result.runId);
            say(`run ${result.runId} not synced yet (${synced.error}); \`labbook sync\` pushes it`);
          }
          const runId = readState(registry.db, result.runId, teamKey(url))?.teamRunId ?? null;
          return { state: result.state, value: result.value, reason: result.reason, runId };
        },
        onRefused: (claim) => {
          const id = local.get(claim.number);
          if (id !== undefined) registry.setTags(id, { 'sweep.duplicate_attempt': `attempt ${claim.attempt} did not count: trial ${claim.number} was re-queued and taken by another worker` });
        },
      });
      parent.end();
      const last = await syncToTeam(registry, url, { runIds: [parent.id, ...unsynced] });
      say(`${report.ended === 'done' ? 'sweep done' : 'stopped'}: ${report.completed.length} completed, ${report.refused.length} refused, ${report.released.length} released`);
      // Trained but not in the team store: nobody else sees these runs, so the worker must not look successful.
      const left = last.pending.map((p) => p.id);
      if (last.error === null && left.length === 0) return 0;
      const why = last.error ?? (last.refused.length ? last.refused.map((r) => `run ${r.run}: ${r.reason}`).join('; ') : 'not wholly pushed');
      process.stderr.write(
        `labbook: ${left.length ? `runs ${left.join(', ')}` : 'runs'} of this worker are not in the team store at ${redactUrl(url)}: expected each trial's run synced, received "${redactUrl(why)}". They are recorded in ${registry.path}; fix the cause, then run \`labbook sync --local ${registry.path} --db ${redactUrl(url)}\`.\n`,
      );
      return 1;
    } finally {
      process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
      registry.close();
      await pool.end().catch(() => undefined);
    }
  },
};

/** The local registry trials are recorded in first (offline first): never the team URL itself. */
function localPath(explicit: string | undefined): string {
  const env = process.env.LABBOOK_DB;
  const local = explicit ?? process.env.LABBOOK_LOCAL_DB ?? (env && !isPostgresUrl(env) ? env : undefined);
  return local ? resolve(local) : join(findProjectRoot(), '.labbook', 'labbook.db');
}

// A database no one migrated is a setup mistake, not a crash.
function explain(error: unknown, url: string): unknown {
  if ((error as { code?: string }).code !== '42P01') return error;
  return new LabbookError('NOT_FOUND', `No sweep queue in the team store at ${redactUrl(url)}: expected its tables (sweeps, trials), received a database without them. Migrate the team store first; then create the sweep.`);
}
