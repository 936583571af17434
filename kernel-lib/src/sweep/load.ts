/** Reads a sweep back from the registry (its definition and trials): the one place that knows how a sweep is recorded. */
import { LabbookError } from '../errors';
import type { Registry } from '../registry/registry';
import type { Json, RunStatus } from '../registry/types';
import { checkSweepDefinition, type SweepDefinition } from './define';
import type { Trial, TrialState } from './trial';

/** How a sweep is recorded: tags on the parent and its child runs (see README "Sweeps"). */
export const TAG = {
  parent: 'labbook.sweep',
  trial: 'sweep.trial',
  params: 'sweep.params',
  state: 'sweep.state',
  prunedStep: 'sweep.pruned_step',
  prunedReason: 'sweep.pruned_reason',
  failedReason: 'sweep.failed_reason',
} as const;

/** The parent run's experiment name: `sweep:<experiment>`, so listing an experiment's runs shows its trials, not sweeps. */
export const parentExperiment = (experiment: string): string => `sweep:${experiment}`;

export interface LoadedSweep {
  id: number;
  definition: SweepDefinition;
  /** One per trial number (its latest run, when a resumed sweep re-ran it), in number order. */
  trials: Trial[];
  /** The run of each trial, in the order of `trials`. */
  runIds: number[];
  /** Trial numbers whose run was interrupted (crashed or killed before the sweep recorded its state): a resume re-runs them. */
  interrupted: number[];
  /** Why a trial ended as it did (the pruner's reason, the failure), by trial number. */
  reasons: { [number: number]: { step: number | null; reason: string } };
}

export function loadSweep(registry: Registry, sweepId: number): LoadedSweep {
  const parent = registry.getRun(sweepId);
  if (parent.tags[TAG.parent] !== 'parent') {
    throw new LabbookError(
      'INVALID_ARGUMENT',
      `Run ${sweepId} is not a sweep: expected a sweep's parent run (tag ${TAG.parent}=parent), received a run of ${parent.experiment}. A sweep's parent run is of experiment sweep:<experiment> (see \`labbook runs\`).`,
    );
  }
  return { id: sweepId, definition: checkSweepDefinition(parent.config as unknown as Json), ...readTrials(registry, sweepId, parent.config as unknown as SweepDefinition) };
}

interface ChildRow {
  id: number;
  status: RunStatus;
}

/** The trials alone, in three queries (no checkpoints or artifacts): what a pruner reads at every epoch. */
export function readTrials(registry: Registry, sweepId: number, definition: Pick<SweepDefinition, 'objective'>): Omit<LoadedSweep, 'id' | 'definition'> {
  registry.flushOpen();
  const db = registry.db;
  const children = db.prepare('SELECT id, status FROM runs WHERE parent_id = ? ORDER BY id').all(sweepId) as ChildRow[];
  const tags = new Map<number, { [key: string]: string }>();
  for (const row of db.prepare(`SELECT t.run_id, t.key, t.value FROM tags t JOIN runs r ON r.id = t.run_id WHERE r.parent_id = ? AND t.key LIKE 'sweep.%'`).all(sweepId) as { run_id: number; key: string; value: string }[]) {
    tags.set(row.run_id, { ...tags.get(row.run_id), [row.key]: row.value });
  }
  const metric = (key: string, sql: string) => db.prepare(sql).all(sweepId, key) as { run_id: number; step: number; value: number | null }[];
  const finals = new Map(metric(definition.objective.metric, 'SELECT m.run_id, m.step, m.value FROM metrics_latest m JOIN runs r ON r.id = m.run_id WHERE r.parent_id = ? AND m.key = ?').map((r) => [r.run_id, r.value]));
  const history = new Map<number, { step: number; value: number }[]>();
  for (const r of metric(definition.objective.intermediate, 'SELECT m.run_id, m.step, m.value FROM metrics m JOIN runs r ON r.id = m.run_id WHERE r.parent_id = ? AND m.key = ? ORDER BY m.run_id, m.step')) {
    history.set(r.run_id, [...(history.get(r.run_id) ?? []), { step: r.step, value: r.value ?? NaN }]);
  }
  // A re-run of an interrupted trial has a higher id: the latest run of each number wins.
  const byNumber = new Map<number, { trial: Trial; runId: number; interrupted: boolean; reason: { step: number | null; reason: string } | null }>();
  for (const child of children) {
    const t = tags.get(child.id) ?? {};
    if (t[TAG.trial] === undefined) continue;
    const number = Number(t[TAG.trial]);
    const recorded = t[TAG.state] as TrialState | undefined;
    const interrupted = recorded === undefined && (child.status === 'crashed' || child.status === 'killed');
    const state: TrialState = recorded ?? (child.status === 'running' ? 'running' : child.status === 'finished' ? 'complete' : 'failed');
    const final = finals.get(child.id);
    const value = state === 'complete' && typeof final === 'number' ? final : null;
    const params = t[TAG.params] ? (JSON.parse(t[TAG.params]) as Trial['params']) : {};
    const reason = t[TAG.prunedReason] !== undefined
      ? { step: t[TAG.prunedStep] === undefined ? null : Number(t[TAG.prunedStep]), reason: t[TAG.prunedReason] }
      : t[TAG.failedReason] !== undefined ? { step: null, reason: t[TAG.failedReason] } : null;
    byNumber.set(number, { trial: { number, params, state, value, intermediate: history.get(child.id) ?? [] }, runId: child.id, interrupted, reason });
  }
  const entries = [...byNumber.values()].sort((a, b) => a.trial.number - b.trial.number);
  const reasons: LoadedSweep['reasons'] = {};
  for (const e of entries) if (e.reason) reasons[e.trial.number] = e.reason;
  return { trials: entries.map((e) => e.trial), runIds: entries.map((e) => e.runId), interrupted: entries.filter((e) => e.interrupted).map((e) => e.trial.number), reasons };
}
