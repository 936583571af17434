/** Shared helpers for the backend tests: seeded data, running one computation on a named backend, comparing results. */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { initBackend } from '../../kernel-lib/src/backend';
import { createRng, type Rng } from '../../kernel-lib/src/repro/rng';
import { deriveSeed } from '../../kernel-lib/src/repro/seed';

export const ROOT_SEED = 20_241_122;

export function rngFor(...path: (string | number)[]): Rng {
  return createRng(deriveSeed(ROOT_SEED, ...path));
}

export function normals(rng: Rng, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; ++i) out[i] = rng.normal();
  return out;
}

/** An integer in [lo, hi]. */
export function between(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

export type Result = { values: Float32Array | Int32Array; shape: number[]; dtype: string };

/** Runs `compute` with tfjs on `backend` (through labbook's selection) and copies its result out. */
export async function on(backend: 'cpu' | 'wasm' | 'native', compute: () => tf.Tensor): Promise<Result> {
  await initBackend({ prefer: backend });
  const t = tf.tidy(compute);
  const result = { values: t.dataSync().slice() as Float32Array | Int32Array, shape: t.shape.slice(), dtype: t.dtype };
  t.dispose();
  return result;
}

/** Every tensor `compute` returns, computed with tfjs on `backend` and copied out. */
export async function onAll(backend: 'cpu' | 'wasm' | 'native', compute: () => tf.Tensor[]): Promise<Result[]> {
  await initBackend({ prefer: backend });
  return tf.tidy(compute).map((t) => {
    const result = { values: t.dataSync().slice() as Float32Array | Int32Array, shape: t.shape.slice(), dtype: t.dtype };
    t.dispose();
    return result;
  });
}

/** Every result of `compute` on native within `tolerance` (relative) of cpu's, shapes equal. */
export async function expectNativeClose(label: string, compute: () => tf.Tensor[], tolerance = 1e-5): Promise<void> {
  const native = await onAll('native', compute);
  const cpu = await onAll('cpu', compute);
  native.forEach((n, k) => {
    expect(n.shape, label).toEqual(cpu[k].shape);
    expect(relativeError(n.values, cpu[k].values), `${label} output ${k}`).toBeLessThanOrEqual(tolerance);
  });
}

/** Largest absolute difference, as a fraction of the reference's largest magnitude. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; ++i) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  if (Number.isNaN(diff)) return Infinity;
  return scale === 0 ? diff : diff / scale;
}

/** Fails the surrounding test if anything calls Math.random while `body` runs. */
export async function withoutMathRandom<T>(body: () => Promise<T> | T): Promise<T> {
  const original = Math.random;
  Math.random = () => {
    throw new Error('Math.random called');
  };
  try {
    return await body();
  } finally {
    Math.random = original;
  }
}
