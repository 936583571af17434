/** bucketBatches: seeded batches of indices of similar length, as torchtext's BucketIterator makes them. */
import { invalidArgument } from '../../errors';
import { createRng } from '../../repro/rng';
import { checkSeed, deriveSeed } from '../../repro/seed';
import { shuffle } from '../split';

export interface BucketOptions {
  /** Sort within chunks of batchSize * poolFactor shuffled examples (default 100, torchtext's). */
  poolFactor?: number;
  /** Leave out a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
}

/**
 * Batches of example indices grouped by similar length, so padding stays small: shuffle all
 * indices, cut them into pools of batchSize * poolFactor, sort each pool by length (ties keep
 * the shuffled order), cut pools into batches, then shuffle the batches. Pass a fresh seed per
 * epoch (deriveSeed(run.seed, 'epoch', e)) for new batches each epoch; the same seed gives the
 * same batches. Math.random is never used.
 */
export function bucketBatches(lengths: ArrayLike<number>, batchSize: number, seed: number, options: BucketOptions = {}): number[][] {
  if (lengths === null || typeof lengths !== 'object' || typeof lengths.length !== 'number') throw invalidArgument('lengths', 'an array of lengths', lengths);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw invalidArgument('batchSize', 'a positive integer', batchSize);
  checkSeed(seed);
  const poolFactor = options.poolFactor ?? 100;
  if (!Number.isSafeInteger(poolFactor) || poolFactor < 1) throw invalidArgument('poolFactor', 'a positive integer', poolFactor);
  for (let i = 0; i < lengths.length; i++) {
    const l = lengths[i];
    if (typeof l !== 'number' || !Number.isFinite(l) || l < 0) throw invalidArgument(`lengths[${i}]`, 'a non-negative number', l);
  }
  const rng = createRng(deriveSeed(seed, 'buckets'));
  const order = shuffle(Array.from({ length: lengths.length }, (_, i) => i), rng);
  const pool = batchSize * poolFactor;
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += pool) {
    // Array.prototype.sort is stable, so equal lengths keep their shuffled order.
    const sorted = order.slice(start, start + pool).sort((a, b) => lengths[a] - lengths[b]);
    for (let b = 0; b < sorted.length; b += batchSize) batches.push(sorted.slice(b, b + batchSize));
  }
  const kept = options.dropLast ? batches.filter((b) => b.length === batchSize) : batches;
  return shuffle(kept, rng);
}
