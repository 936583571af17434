/** Sweeps as the UI lists them, built from the tags a sweep records (sweep/load.ts's TAG) the same way for both stores. */
import { LabbookError } from '../errors';
import type { RunSummary } from '../query/search';
import type { Json } from '../registry/types';
import { TAG } from '../sweep/load';
import type { SweepItem, TrialItem } from './api';

/** The tag key and value that mark a sweep's parent run (the parameters of both stores' lookup). */
export const SWEEP_PARENT_TAG = [TAG.parent, 'parent'] as const;

/** A child run's trial state as readTrials derives it: the recorded state, else from the run's status. */
export function trialState(tags: { [key: string]: string }, status: string): string {
  const recorded = tags[TAG.state];
  if (recorded !== undefined) return recorded;
  if (status === 'running') return 'running';
  if (status === 'finished') return 'complete';
  return status === 'crashed' || status === 'killed' ? 'interrupted' : 'failed';
}

function objectiveOf(config: { [key: string]: Json }): SweepItem['objective'] {
  const objective = config.objective;
  if (objective === null || typeof objective !== 'object' || Array.isArray(objective)) return null;
  const { metric, direction } = objective;
  if (typeof metric !== 'string' || (direction !== 'minimize' && direction !== 'maximize')) return null;
  return { metric, direction };
}

/** One sweep's list entry from its parent and its trials' summaries (each trial run with its tags and latest metrics). */
export function sweepItem(parent: RunSummary, trials: readonly RunSummary[]): SweepItem {
  const objective = objectiveOf(parent.config);
  const states: { [state: string]: number } = {};
  const numbered = trials.filter((t) => t.tags[TAG.trial] !== undefined);
  for (const t of latestPerNumber(numbered)) {
    const state = trialState(t.tags, t.status);
    states[state] = (states[state] ?? 0) + 1;
  }
  const bestRun = Number(parent.tags['sweep.best_run']);
  const best = trials.find((t) => t.id === bestRun);
  return {
    id: parent.id,
    experiment: parent.experiment,
    name: parent.name,
    status: parent.status,
    startedAt: parent.startedAt,
    endedAt: parent.endedAt,
    trials: Object.values(states).reduce((a, b) => a + b, 0),
    states,
    objective,
    best: best ? { trial: Number(best.tags[TAG.trial]), run: best.id, value: objective ? best.metrics[objective.metric] ?? null : null } : null,
  };
}

/** The trials of a sweep, one per number (a resumed sweep's re-run wins), in number order. */
export function trialItems(parent: RunSummary, trials: readonly RunSummary[]): TrialItem[] {
  const objective = objectiveOf(parent.config);
  return latestPerNumber(trials.filter((t) => t.tags[TAG.trial] !== undefined)).map((t) => {
    const state = trialState(t.tags, t.status);
    let params: { [key: string]: Json } = {};
    try {
      const parsed = JSON.parse(t.tags[TAG.params] ?? '{}') as unknown;
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) params = parsed as { [key: string]: Json };
    } catch {
      // A hand-edited tag that is not JSON: the trial is still listed, without params.
    }
    const prunedStep = t.tags[TAG.prunedStep];
    return {
      number: Number(t.tags[TAG.trial]),
      run: t.id,
      status: t.status,
      state,
      params,
      value: objective && state === 'complete' ? t.metrics[objective.metric] ?? null : null,
      prunedStep: prunedStep === undefined ? null : Number(prunedStep),
      reason: t.tags[TAG.prunedReason] ?? t.tags[TAG.failedReason] ?? null,
    };
  });
}

function latestPerNumber(trials: readonly RunSummary[]): RunSummary[] {
  const byNumber = new Map<number, RunSummary>();
  for (const t of [...trials].sort((a, b) => a.id - b.id)) byNumber.set(Number(t.tags[TAG.trial]), t);
  return [...byNumber.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => t);
}

export function notASweep(id: number, experiment: string): LabbookError {
  return new LabbookError('NOT_FOUND', `Run ${id} is not a sweep: expected a sweep's parent run (tag ${TAG.parent}=parent), received a run of ${JSON.stringify(experiment)}. Sweeps are listed at /sweeps.`);
}
