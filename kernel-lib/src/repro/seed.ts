/** Run seeds: drawing a fresh one and checking a given one (not the PRNGs that consume them). */
import { createHash, randomBytes } from 'node:crypto';
import { invalidArgument } from '../errors';

export const MAX_SEED = 0xffffffff;

/**
 * A uniformly drawn uint32. It comes from the OS, not Math.random: the seed is recorded with the
 * run, so drawing it need not be reproducible, and it must not repeat across notebooks that all
 * started from the same Math.random state.
 */
export function drawSeed(): number {
  return randomBytes(4).readUInt32LE(0);
}

/** The seed itself when it is an integer in 0..4294967295 (what a uint32 PRNG state can take). */
export function checkSeed(seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw invalidArgument(
      'seed',
      `an integer from 0 to ${MAX_SEED}`,
      seed,
      'Pass a whole number in that range, or leave the seed out to draw one.',
    );
  }
  return seed;
}

/**
 * A seed for one consumer of randomness (`deriveSeed(run.seed, 'init', 'dense_1/kernel')`),
 * derived from the run's root seed by hashing, so consumers never share a stream and adding one
 * does not shift the others. Never 0: tfjs treats seed 0 as "no seed" and falls back to
 * Math.random for normal draws.
 */
export function deriveSeed(root: number, ...path: (string | number)[]): number {
  const digest = createHash('sha256').update(JSON.stringify([checkSeed(root), ...path])).digest();
  return digest.readUInt32LE(0) || 1;
}
