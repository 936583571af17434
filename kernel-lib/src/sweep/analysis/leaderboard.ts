/** The leaderboard and the best trial of a sweep: pure ranking of Trial records, no registry. */
import { invalidArgument } from '../../errors';
import type { Json } from '../../registry/types';
import type { Direction } from '../sampler';
import type { Trial, TrialState } from '../trial';

export interface LeaderboardRow {
  /** 1-based; null for failed and running trials (and complete ones without a finite value), which are listed unranked. */
  rank: number | null;
  number: number;
  state: TrialState;
  /** What the trial is ranked by: the final value when complete, the last reported intermediate value when pruned. */
  value: number | null;
  /** For a pruned trial, the step it was pruned at (its last report); null otherwise. */
  step: number | null;
  params: { [name: string]: Json };
}

export interface LeaderboardOptions {
  /** At most this many rows (ranked ones first). */
  limit?: number;
}

export function checkDirection(direction: unknown): Direction {
  if (direction !== 'minimize' && direction !== 'maximize') throw invalidArgument('direction', '"minimize" or "maximize"', direction);
  return direction;
}

export function checkTrials(trials: unknown): readonly Trial[] {
  if (!Array.isArray(trials)) throw invalidArgument('trials', 'an array of trial records', trials, 'Pass the sweep\'s `trials`.');
  return trials as Trial[];
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Complete trials with a finite value, best first; equal values go by trial number so the order never depends on input order. */
function rankedComplete(trials: readonly Trial[], direction: Direction): Trial[] {
  const sign = direction === 'minimize' ? 1 : -1;
  return trials.filter((t) => t.state === 'complete' && finite(t.value)).sort((a, b) => sign * ((a.value as number) - (b.value as number)) || a.number - b.number);
}

function lastReport(t: Trial): { step: number; value: number } | null {
  const reports = (t.intermediate ?? []).filter((r) => finite(r.value) && finite(r.step));
  if (reports.length === 0) return null;
  return reports.reduce((a, b) => (b.step >= a.step ? b : a));
}

/**
 * Complete trials ranked by value, then pruned trials by their last intermediate value (a pruned
 * trial never beats a complete one: its value is not final), then failed and running trials
 * unranked by number. Ties always go to the lower trial number.
 */
export function leaderboard(trials: readonly Trial[], direction: Direction, options: LeaderboardOptions = {}): LeaderboardRow[] {
  checkTrials(trials);
  checkDirection(direction);
  const limit = options?.limit;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) throw invalidArgument('limit', 'a positive integer', limit);
  const sign = direction === 'minimize' ? 1 : -1;
  const complete = rankedComplete(trials, direction);
  const pruned = trials
    .filter((t) => t.state === 'pruned')
    .map((t) => ({ t, last: lastReport(t) }))
    // Pruned trials that reported nothing come last among the pruned.
    .sort((a, b) => (a.last && b.last ? sign * (a.last.value - b.last.value) : a.last ? -1 : b.last ? 1 : 0) || a.t.number - b.t.number);
  const rankedSet = new Set<Trial>([...complete, ...pruned.map((p) => p.t)]);
  const rest = trials.filter((t) => !rankedSet.has(t)).sort((a, b) => a.number - b.number);
  const rows: LeaderboardRow[] = [
    ...complete.map((t) => ({ number: t.number, state: t.state, value: t.value, step: null, params: t.params })),
    ...pruned.map(({ t, last }) => ({ number: t.number, state: t.state, value: last?.value ?? null, step: last?.step ?? null, params: t.params })),
  ].map((row, i) => ({ rank: i + 1, ...row }));
  rows.push(...rest.map((t) => ({ rank: null, number: t.number, state: t.state, value: finite(t.value) ? t.value : null, step: null, params: t.params })));
  return limit === undefined ? rows : rows.slice(0, limit);
}

/** The complete trial with the best finite value (the lowest number among equals), or null: whyNoBestTrial says why. */
export function bestTrial(trials: readonly Trial[], direction: Direction): Trial | null {
  checkTrials(trials);
  return rankedComplete(trials, checkDirection(direction))[0] ?? null;
}

/** Why bestTrial() is null, in a sentence (null when there is a best trial). */
export function whyNoBestTrial(trials: readonly Trial[]): string | null {
  checkTrials(trials);
  if (trials.some((t) => t.state === 'complete' && finite(t.value))) return null;
  if (trials.length === 0) return 'No best trial: the sweep has no trials yet.';
  const counts = new Map<string, number>();
  for (const t of trials) {
    const key = t.state === 'complete' ? 'complete without a value' : t.state;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const parts = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([state, n]) => `${n} ${state}`);
  return `No best trial: no trial has completed with a finite value (${parts.join(', ')}).`;
}
