/** Callbacks a caller attaches to a run, which train() called with that run also runs (no registry or tfjs here). */
import type { Run } from '../registry/run';
import type { Callback } from './callbacks';

// A WeakMap, not a field on Run: the registry stays free of training concepts, and an ended run's
// callbacks go with it. Shared through a global symbol because an experiment file that imports
// `labbook` may get another copy of this module (the built package) than the code that ran it.
const KEY = Symbol.for('labbook.train.attachedCallbacks');
const holder = globalThis as { [KEY]?: WeakMap<Run, Callback[]> };
const attached = (holder[KEY] ??= new WeakMap<Run, Callback[]>());

/**
 * Makes every train() given `run` (however deep inside an experiment) run `callbacks` too, after
 * its own. For code that drives an experiment it does not write (a sweep pruning its trials).
 */
export function attachCallbacks(run: Run, callbacks: readonly Callback[]): void {
  attached.set(run, [...(attached.get(run) ?? []), ...callbacks]);
}

/** The callbacks attached to `run`, in the order they were attached; [] without a run. */
export function runCallbacks(run: Run | undefined): Callback[] {
  return run ? [...(attached.get(run) ?? [])] : [];
}
