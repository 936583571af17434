/** What every sampler is: a pure function of (space, seed, trial number, trial list) to the next trial's params. */
import { invalidArgument } from '../errors';
import { checkSeed, deriveSeed } from '../repro/seed';
import { createRng, type Rng } from '../repro/rng';
import type { Params, SearchSpace } from './space';
import type { Trial } from './trial';

export type Direction = 'minimize' | 'maximize';

export interface ProposeInput {
  space: SearchSpace;
  /** The sweep's seed: with the same trials it fixes every proposal. */
  seed: number;
  /** The number the new trial will get; its RNG derives from (seed, number). */
  number: number;
  /** Every trial so far, in any state (running ones included, so parallel workers spread out). */
  trials: readonly Trial[];
  direction: Direction;
}

/**
 * Samplers keep no state between calls: a worker that restarts rebuilds a sweep from the
 * registry's trial list alone. `propose` returns null when the sampler has nothing left (a finished grid).
 */
export interface Sampler {
  readonly name: 'grid' | 'random' | 'tpe';
  propose(input: ProposeInput): Params | null;
}

/** The trial's own RNG, so a proposal never depends on what was drawn for another trial. */
export function trialRng(seed: number, number: number): Rng {
  return createRng(deriveSeed(checkSeed(seed), 'sweep-trial', number));
}

export function checkInput(input: ProposeInput): void {
  if (!Number.isSafeInteger(input.number) || input.number < 0) throw invalidArgument('number', 'a trial number >= 0', input.number);
  if (input.direction !== 'minimize' && input.direction !== 'maximize') throw invalidArgument('direction', '"minimize" or "maximize"', input.direction);
  if (!Array.isArray(input.trials)) throw invalidArgument('trials', 'an array of trial records', input.trials, 'Pass [] for a new sweep.');
}
