import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../kernel-lib/src/backend';
import { RELU_GRAD_KERNEL } from '../../kernel-lib/src/backend/native/kernels/activation-grad';
import { between, normals, on, rngFor, type Result } from './helpers';

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38];

/** Random values with every tenth one special (NaN, infinities, signed zeros, denormals, huge). */
function values(path: string, index: number | string, n: number): Float32Array {
  const out = normals(rngFor(path, index), n);
  const rng = rngFor(path, 'special', index);
  for (let i = 0; i < n; ++i) if (rng.int(10) === 0) out[i] = SPECIAL[rng.int(SPECIAL.length)];
  return out;
}

/** The same bits, NaN for NaN and -0 apart from +0. */
function expectSameBits(actual: Result, expected: Result, label: string): void {
  expect(actual.shape, label).toEqual(expected.shape);
  expect(actual.values.length, label).toBe(expected.values.length);
  for (let i = 0; i < expected.values.length; ++i) {
    if (!Object.is(actual.values[i], expected.values[i])) {
      expect(`${actual.values[i]} at ${i}`, label).toBe(`${expected.values[i]} at ${i}`);
    }
  }
}

/** The gradient of sum(relu(x) * w) for x, i.e. Relu's gradient at dy = w (random and special). */
function reluGradOf(x: Float32Array, dy: Float32Array, shape: number[]): () => tf.Tensor {
  return () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), tf.tensor(dy, shape))))(tf.tensor(x, shape));
}

function shapes(index: number): number[] {
  const rng = rngFor('native-relu-grad-shape', index);
  const rank = between(rng, 1, 4);
  // Every eighth shape has an empty dim.
  return Array.from({ length: rank }, (_, d) => (index % 8 === 7 && d === 0 ? 0 : between(rng, 1, 9)));
}

describe('Relu gradient on the native backend', () => {
  it('is a kernel registered on native only', async () => {
    await initBackend({ prefer: 'native' });
    expect(tf.getKernel(RELU_GRAD_KERNEL, 'native')).toBeDefined();
    expect(tf.getKernel(RELU_GRAD_KERNEL, 'cpu')).toBeUndefined();
  });

  it('matches cpu bit for bit on 32 random shapes with NaN, infinities, signed zeros and denormals', async () => {
    for (let index = 0; index < 32; ++index) {
      const shape = shapes(index);
      const n = shape.reduce((a, b) => a * b, 1);
      const run = reluGradOf(values('native-relu-grad-x', index, n), values('native-relu-grad-dy', index, n), shape);
      expectSameBits(await on('native', run), await on('cpu', run), `[${shape}]`);
    }
  });

  it('covers every (x, dy) pair of special values, and a large tensor', async () => {
    const x = Float32Array.from(SPECIAL.flatMap((a) => SPECIAL.map(() => a)));
    const dy = Float32Array.from(SPECIAL.flatMap(() => SPECIAL));
    const pairs = reluGradOf(x, dy, [x.length]);
    expectSameBits(await on('native', pairs), await on('cpu', pairs), 'special pairs');
    const n = 64 * 26 * 26 * 2 + 3;
    const large = reluGradOf(values('native-relu-grad-x', 'large', n), values('native-relu-grad-dy', 'large', n), [n]);
    expectSameBits(await on('native', large), await on('cpu', large), 'large');
  });

  it('on cpu and wasm still equals mul(dy, step(x)) computed directly', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      for (let index = 0; index < 8; ++index) {
        const shape = shapes(index);
        const n = shape.reduce((a, b) => a * b, 1);
        const x = values('native-relu-grad-x', index, n);
        const dy = values('native-relu-grad-dy', index, n);
        const direct = () => tf.mul(tf.tensor(dy, shape), tf.cast(tf.step(tf.tensor(x, shape)), 'float32'));
        expectSameBits(await on(backend, reluGradOf(x, dy, shape)), await on(backend, direct), `${backend} [${shape}]`);
      }
    }
  });

  it('has the second-order gradient of mul(dy, step(x)) on native', async () => {
    const n = 50;
    const x = values('native-relu-grad2-x', 0, n);
    const w = normals(rngFor('native-relu-grad2-w', 0), n);
    // d/dx of sum(grad(relu)(x) * w * x) exercises both the dy and the x gradient of the kernel.
    const run = () =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.relu(u), tf.tensor(w))))(t), t)))(tf.tensor(x));
    expectSameBits(await on('native', run), await on('cpu', run), 'second order');
  });
});
