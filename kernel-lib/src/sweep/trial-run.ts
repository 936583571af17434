/** runTrial: one sweep trial as a child run, pruned from inside train(); shared by the local sweep and remote workers. */
import { resolve } from 'node:path';
import { invalidArgument } from '../errors';
import type { BaseConfig, Experiment } from '../experiment/define';
import { loadExperiment, loadExperimentFile } from '../experiment/loader';
import { runExperiment } from '../experiment/runner';
import type { Registry } from '../registry/registry';
import type { Run } from '../registry/run';
import { findProjectRoot } from '../repro/root';
import type { Callback } from '../train/callbacks';
import { definedExperiment, type SweepDefinition } from './define';
import { createPruner } from './factory';
import { TAG } from './load';
import type { PruneDecision } from './pruners';
import type { Trial, TrialIntermediate, TrialState } from './trial';

export interface RunTrialOptions {
  definition: SweepDefinition;
  number: number;
  params: Trial['params'];
  registry: Registry;
  /** The sweep's parent run: the trial is recorded as its child. */
  parentId: number;
  /** The sweep's trials as they stand now (registry-backed locally, the queue's on a worker); read at every epoch end. */
  trials: () => Promise<Trial[]> | Trial[];
  /** Called with each intermediate value before the pruner is asked (a worker publishes it for the others). */
  report?: (step: number, value: number) => Promise<void> | void;
  /** The experiment; default: the definition's (defined in this process, else loaded from its file or by name). */
  experiment?: Experiment<BaseConfig>;
  progress?: boolean | Callback;
}

export interface TrialResult {
  runId: number;
  state: Exclude<TrialState, 'running'>;
  /** The objective's final value for a complete trial, else null. */
  value: number | null;
  /** The pruner's reason for a pruned trial, the failure for a failed one, else null. */
  reason: string | null;
  /** The step a pruned trial was stopped at. */
  prunedStep: number | null;
}

/** The experiment a definition names, found the way a fresh process (a resumed sweep, a worker) can find it. */
export function sweepExperiment(definition: SweepDefinition): Experiment<BaseConfig> {
  const defined = definedExperiment(definition);
  if (defined) return defined;
  return definition.experimentFile ? loadExperimentFile(resolve(findProjectRoot(), definition.experimentFile)) : loadExperiment(definition.experiment);
}

/**
 * Runs trial `number` with `params` over the sweep's `set`, with the sweep's seed (every trial trains
 * with the same seed, so only the params differ). A failing run is a failed trial, not an error.
 */
export async function runTrial(options: RunTrialOptions): Promise<TrialResult> {
  const { definition, number, params, registry } = options;
  const { metric, intermediate, direction } = definition.objective;
  const pruner = createPruner(definition.pruner.name, definition.pruner.options, { metric: intermediate, seed: definition.seed });
  let pruned: PruneDecision | null = null;
  const own: TrialIntermediate[] = [];
  const pruning = (run: Run): Callback[] => [
    {
      async onEpochEnd(epoch, logs, ctx) {
        if (pruned) return;
        const value = logs[intermediate];
        if (value === undefined) {
          // Without a pruner nothing reads it: a final-only objective (the default intermediate) is fine.
          if (definition.pruner.name === 'none') return;
          throw invalidArgument('objective.intermediate', `one of the epoch logs train() wrote (${Object.keys(logs).join(', ')})`, intermediate, 'Name a per-epoch metric, such as val_loss with validation data.');
        }
        own.push({ step: epoch, value });
        await options.report?.(epoch, value);
        const me: Trial = { number, params, state: 'running', value: null, intermediate: [...own] };
        const others = (await options.trials()).filter((t) => t.number !== number);
        const decision = pruner.shouldPrune(me, [...others, me], direction);
        if (!decision.prune) return;
        pruned = decision;
        // Recorded now, not after the run: a process that dies while the run ends still says why it stopped.
        run.setTags({ [TAG.state]: 'pruned', [TAG.prunedStep]: decision.step ?? epoch, [TAG.prunedReason]: decision.reason });
        ctx.stop(decision.reason);
      },
    },
  ];
  const summary = await runExperiment(options.experiment ?? sweepExperiment(definition), {
    registry,
    parentId: options.parentId,
    set: { ...definition.set, ...params },
    seed: definition.seed,
    tags: { [TAG.trial]: String(number), [TAG.params]: JSON.stringify(params) },
    progress: options.progress ?? false,
    throwOnFailure: false,
    callbacks: pruning,
    // A trial's state tags come after it ends: the sweep pushes its runs itself (runSweep, a worker).
    team: false,
  });
  const end = (state: TrialResult['state'], value: number | null, reason: string | null): TrialResult => {
    registry.setTags(summary.id, { [TAG.state]: state, ...(state === 'failed' && reason ? { [TAG.failedReason]: reason } : {}) });
    const decision = pruned as PruneDecision | null;
    return { runId: summary.id, state, value, reason, prunedStep: state === 'pruned' ? (decision?.step ?? null) : null };
  };
  if (summary.status !== 'finished') return end('failed', null, firstLine(summary.error) ?? `the run ended ${summary.status}`);
  if (pruned) return end('pruned', null, (pruned as PruneDecision).reason);
  const latest = registry.getRun(summary.id).metrics;
  const final = latest[metric];
  if (final === undefined) return end('failed', null, `the run logged no ${metric} (it logged ${Object.keys(latest).join(', ') || 'no metrics'}): set objective.metric to one of them`);
  if (final.value === null) return end('failed', null, `${metric} was NaN`);
  return end('complete', final.value, null);
}

function firstLine(text: string | null): string | null {
  return text === null ? null : text.split('\n')[0].slice(0, 1000);
}
