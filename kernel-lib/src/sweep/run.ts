/** runSweep: a sweep as a parent run whose trials are child runs, proposed and pruned until the budget is spent; resumable. */
import { LabbookError } from '../errors';
import { resolveConfig } from '../experiment/define';
import { openRegistry, type Registry } from '../registry/registry';
import type { Run } from '../registry/run';
import type { Config } from '../registry/types';
import { canonicalJson } from '../repro/hash';
import { pushEndedRuns, teamStoreFor, type TeamPush } from '../team/push-ended';
import { checkSweepDefinition, definedExperiment, type SweepDefinition } from './define';
import { createSampler } from './factory';
import { loadSweep, parentExperiment, readTrials, TAG } from './load';
import { randomSampler } from './random';
import type { Trial } from './trial';
import { runTrial, sweepExperiment } from './trial-run';

export interface RunSweepOptions {
  registry?: Registry;
  /** true: one line per trial on stderr; a function gets each line instead. Default off. */
  progress?: boolean | ((line: string) => void);
  /** Continue the sweep with this parent run id to its budget (interrupted trials re-run first). */
  resume?: number;
  /** Milliseconds now, for the time budget (default Date.now; tests pass a fake clock). */
  clock?: () => number;
  /** The team store to push the sweep (parent and trials) to when it ends; default LABBOOK_DB when it names one; false: local only. */
  team?: string | false;
}

export interface SweepTrialSummary extends Trial {
  runId: number;
  /** The pruner's reason or the failure, else null. */
  reason: string | null;
  prunedStep: number | null;
}

export interface SweepSummary {
  id: number;
  trials: SweepTrialSummary[];
  best: { number: number; runId: number; value: number; params: Trial['params'] } | null;
  /** Why no further trial was proposed. */
  stopped: string;
  /** Present when a team store was named: the push's outcome (error null: the sweep is in the team store). */
  synced?: TeamPush;
}

/**
 * Runs (or, with `resume`, continues) a sweep. The parent run's experiment is `sweep:<experiment>`,
 * its config the definition, its seed the sweep's; `labbook runs --parent ID` lists the trials.
 */
export async function runSweep(definition: SweepDefinition | null, options: RunSweepOptions = {}): Promise<SweepSummary> {
  const team = teamStoreFor(options.team);
  const registry = options.registry ?? openRegistry();
  try {
    const summary = await sweep(registry, definition, options);
    if (team === undefined) return summary;
    return { ...summary, synced: await pushEndedRuns(registry, team, [summary.id, ...summary.trials.map((t) => t.runId)]) };
  } finally {
    if (!options.registry) registry.close();
  }
}

async function sweep(registry: Registry, given: SweepDefinition | null, options: RunSweepOptions): Promise<SweepSummary> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const say = options.progress === true ? (line: string) => process.stderr.write(`${line}\n`) : options.progress || (() => {});
  let definition: SweepDefinition;
  let parent: Run | null = null;
  let id: number;
  if (options.resume !== undefined) {
    const loaded = loadSweep(registry, options.resume);
    if (given && canonicalJson(checkSweepDefinition(given)) !== canonicalJson(loaded.definition)) {
      throw new LabbookError('INVALID_ARGUMENT', `Cannot resume sweep ${options.resume} with another definition: expected the one it recorded (labbook sweep show ${options.resume}), received a different one. Resume it without a definition, or start a new sweep.`);
    }
    const status = registry.getRun(options.resume).status;
    if (status === 'running') {
      throw new LabbookError('INVALID_ARGUMENT', `Sweep ${options.resume} is still running: expected an interrupted sweep (crashed or killed). Wait for it, or stop its process first.`);
    }
    if (status === 'finished' || status === 'failed') {
      throw new LabbookError('INVALID_ARGUMENT', `Cannot resume sweep ${options.resume}: expected an interrupted sweep (crashed or killed), received one that ended as ${status}. See it with \`labbook sweep show ${options.resume}\`; start a new sweep with \`labbook sweep run FILE\`.`);
    }
    definition = given ?? loaded.definition;
    id = options.resume;
  } else {
    if (!given) throw new LabbookError('INVALID_ARGUMENT', 'Missing sweep definition: expected defineSweep(...) or options.resume, received neither. Pass a definition, or the id of a sweep to resume.');
    ({ definition, parent } = startSweepParent(registry, given));
    id = parent.id;
  }
  try {
    const experiment = sweepExperiment(definition);
    const sampler = createSampler(definition.sampler.name, definition.sampler.options);
    // Reopened only once the experiment is found: a sweep that cannot go on stays crashed, resumable when fixed.
    if (!parent) {
      parent = registry.reopenRun(id);
      parent.setTags({ 'sweep.resumed': 'true' });
    }
    const { budget, objective, space, seed } = definition;
    const trials = () => readTrials(registry, id, definition).trials;
    const trial = async (number: number, params: Trial['params']) => {
      const result = await runTrial({ definition, number, params, registry, parentId: id, trials, experiment });
      say(`trial ${number}: ${result.state}${result.value !== null ? ` ${objective.metric}=${result.value}` : ''} (run ${result.runId}) ${JSON.stringify(params)}${result.reason ? `: ${result.reason}` : ''}`);
    };
    // Interrupted trials first, with the params they were proposed with: the sweep then goes on as if never stopped.
    const before = readTrials(registry, id, definition);
    for (const number of before.interrupted) await trial(number, before.trials.find((t) => t.number === number)!.params);
    let stopped: string;
    for (;;) {
      const now = trials();
      if (budget.trials !== null && now.length >= budget.trials) {
        stopped = `budget: ${budget.trials} trials`;
        break;
      }
      if (budget.timeS !== null && (clock() - started) / 1000 >= budget.timeS) {
        stopped = `budget: ${budget.timeS} s passed`;
        break;
      }
      const number = now.reduce((n, t) => Math.max(n, t.number + 1), 0);
      const params = sampler.propose({ space, seed, number, trials: now, direction: objective.direction });
      if (params === null) {
        stopped = `the ${definition.sampler.name} sampler has nothing left to propose`;
        break;
      }
      await trial(number, params);
    }
    return finish(registry, id, definition, parent, stopped);
  } catch (error) {
    if (parent?.status === 'running') parent.fail(error);
    throw error;
  }
}

/**
 * Checks a definition and records its sweep's parent run: experiment `sweep:<experiment>`, config
 * the definition, seed the sweep's, tag labbook.sweep=parent (and `tags`). Shared by runSweep and
 * `labbook sweep create`, whose team sweep hangs off the same parent.
 */
export function startSweepParent(registry: Registry, given: SweepDefinition, tags: { [key: string]: string } = {}): { definition: SweepDefinition; parent: Run } {
  let definition = checkSweepDefinition(given);
  if (definedExperiment(given)) definition = given;
  precheck(definition);
  const parent = registry.startRun({ experiment: parentExperiment(definition.experiment), config: definition as unknown as Config, seed: definition.seed, tags: { ...tags, [TAG.parent]: 'parent' } });
  return { definition, parent };
}

/** A param the experiment's config does not have, or of the wrong type, fails here, before any run is recorded. */
function precheck(definition: SweepDefinition): void {
  const sample = randomSampler().propose({ space: definition.space, seed: definition.seed, number: 0, trials: [], direction: definition.objective.direction });
  resolveConfig(sweepExperiment(definition), { ...definition.set, ...sample });
}

function finish(registry: Registry, id: number, definition: SweepDefinition, parent: Run, stopped: string): SweepSummary {
  const loaded = readTrials(registry, id, definition);
  const sign = definition.objective.direction === 'minimize' ? 1 : -1;
  const trials: SweepTrialSummary[] = loaded.trials.map((t, i) => ({ ...t, runId: loaded.runIds[i], reason: loaded.reasons[t.number]?.reason ?? null, prunedStep: t.state === 'pruned' ? (loaded.reasons[t.number]?.step ?? null) : null }));
  const complete = trials.filter((t) => t.state === 'complete' && t.value !== null);
  const top = complete.sort((a, b) => sign * ((a.value as number) - (b.value as number)) || a.number - b.number)[0];
  const best = top ? { number: top.number, runId: top.runId, value: top.value as number, params: top.params } : null;
  const tags = { 'sweep.stopped': stopped, ...(best ? { 'sweep.best_trial': best.number, 'sweep.best_run': best.runId } : {}) };
  if (best) parent.log({ best_value: best.value });
  parent.setTags(tags);
  parent.end('finished');
  return { id, trials, best, stopped };
}
