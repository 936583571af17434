/** What every pruner answers, and the helpers they share to read trials' intermediate values (not a pruner). */
import { invalidArgument } from '../../errors';
import { refuseUnknownKeys } from '../../suggest';
import type { Direction } from '../sampler';
import type { Trial } from '../trial';

export type { Direction };

/** One pruning decision, with the reason a person reads in the sweep's record. */
export interface PruneDecision {
  prune: boolean;
  /** "pruned at step 12: val_loss 0.84 (its best so far) is worse than the median 0.61 of 7 completed trials at step 12" */
  reason: string;
  /** The step decided at (the trial's last reported step); null when it reported none. */
  step: number | null;
}

/**
 * A pruner decides from the trials' intermediate values alone and keeps no state between calls, so a
 * restarted sweep (or another worker) rebuilds the same decisions from the trial list.
 */
export interface Pruner {
  readonly name: string;
  /** `trial` has just reported its latest intermediate value; `allTrials` is the sweep's trial list (it may include `trial`). */
  shouldPrune(trial: Trial, allTrials: readonly Trial[], direction: Direction): PruneDecision;
}

/** Options every pruner takes. */
export interface PrunerNaming {
  /** The metric's name in reasons ("val_loss"); default "value". */
  metric?: string;
}

/** The trial's intermediate values sorted by step; a second report at a step is ignored, as Optuna's trial.report does. */
export function stepsOf(trial: Trial): { step: number; value: number }[] {
  const byStep = new Map<number, number>();
  for (const point of trial.intermediate) if (!byStep.has(point.step)) byStep.set(point.step, point.value);
  return [...byStep].map(([step, value]) => ({ step, value })).sort((a, b) => a.step - b.step);
}

export function lastStep(trial: Trial): number | null {
  let last: number | null = null;
  for (const point of trial.intermediate) if (last === null || point.step > last) last = point.step;
  return last;
}

/** The trial's value at `step`, or undefined if it never reported that step. */
export function valueAt(trial: Trial, step: number): number | undefined {
  return trial.intermediate.find((point) => point.step === step)?.value;
}

/** `a` is better than `b` in this direction. */
export function isBetter(a: number, b: number, direction: Direction): boolean {
  return direction === 'maximize' ? a > b : a < b;
}

/** Short numbers for reasons: 4 significant digits, more only when two quoted numbers would otherwise read the same. */
export function fmt(value: number, other?: number): string {
  if (!Number.isFinite(value)) return String(value);
  for (let digits = 4; digits < 17; digits++) {
    const text = String(Number(value.toPrecision(digits)));
    if (other === undefined || value === other || text !== String(Number(other.toPrecision(digits)))) return text;
  }
  return String(value);
}

export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

export function checkDirection(direction: unknown): asserts direction is Direction {
  if (direction !== 'minimize' && direction !== 'maximize') {
    throw invalidArgument('direction', '"minimize" or "maximize"', direction, 'Pass the sweep\'s direction.');
  }
}

export function checkInt(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    const kind = min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer >= ${min}`;
    throw invalidArgument(name, kind, value, `Pass ${kind}.`);
  }
  return value;
}

export function metricName(options: PrunerNaming | undefined): string {
  const metric = options?.metric ?? 'value';
  if (typeof metric !== 'string' || metric === '') throw invalidArgument('metric', 'a non-empty string', metric, 'Pass the metric\'s name, such as "val_loss".');
  return metric;
}

/** The options object a pruner was given, with names it does not know rejected (a typo would otherwise pass silently). */
export function checkOptions<T extends object>(pruner: string, options: T | undefined, known: readonly string[]): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalidArgument(`${pruner} options`, 'an object', options, `Pass options such as {${known[0]}: ...}, or nothing.`);
  }
  refuseUnknownKeys(pruner, options, known);
  return options;
}
