/**
 * The fused layer normalization kernels (native/src/layer-norm.cc) against tfjs's composition:
 * the forward bit for bit the composition on the native backend, the gradients (a closed form,
 * other bits) within a tolerance of it on native and cpu; the same bits on every thread count.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from '../../kernel-lib/src/backend';
import { loadNativeAddon, type NativeAddon } from '../../kernel-lib/src/backend/native';
import { LayerNorm } from '../../kernel-lib/src/models/layers';
import { between, normals, relativeError, rngFor } from './helpers';

type Outcome = { y: Float32Array; grads: Float32Array[] };

/** The layer's output and the gradients of sum(y * r) for x, gamma and beta, on the backend in use. */
function run(shape: number[], index: number): Outcome {
  const rng = rngFor('native-layer-norm', index);
  const n = shape.reduce((a, b) => a * b, 1);
  const layer = new LayerNorm({ epsilon: 1e-5 });
  // An offset per case, so the mean is not near zero and its subtraction matters.
  const x = tf.variable(tf.tensor(normals(rng, n), shape).add(index - 3), true);
  tf.dispose(layer.apply(x) as tf.Tensor); // builds the weights
  layer.setWeights(layer.getWeights().map((w) => tf.tensor(normals(rng, w.size), w.shape)));
  const r = tf.tensor(normals(rng, n), shape);
  const y = layer.apply(x) as tf.Tensor;
  const variables = [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, r)), variables);
  const outcome = { y: y.dataSync().slice() as Float32Array, grads: variables.map((v) => grads[v.name].dataSync().slice() as Float32Array) };
  tf.dispose([x, r, y, ...Object.values(grads)]);
  layer.dispose();
  return outcome;
}

/** run() on native with the fused kernels unregistered, so the layer takes tfjs's composition. */
function runComposed(shape: number[], index: number): Outcome {
  const configs = [LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL].map((name) => tf.getKernel(name, 'native')!);
  configs.forEach((k) => tf.unregisterKernel(k.kernelName, 'native'));
  try {
    return run(shape, index);
  } finally {
    configs.forEach((k) => tf.registerKernel(k));
  }
}

describe('fused layer normalization kernels on the native backend', () => {
  it('are registered on native only', async () => {
    await initBackend({ prefer: 'native' });
    expect(tf.getKernel(LAYER_NORM_KERNEL, 'native')).toBeDefined();
    expect(tf.getKernel(LAYER_NORM_KERNEL, 'cpu')).toBeUndefined();
  });

  it('give the composition\'s forward bits on native, and its values and gradients on cpu and native', async () => {
    for (let index = 0; index < 10; ++index) {
      const rng = rngFor('native-layer-norm-shape', index);
      const shape = index % 2 === 0 ? [between(rng, 1, 3), between(rng, 1, 30), between(rng, 1, 70)] : [between(rng, 1, 100), between(rng, 1, 70)];
      const label = JSON.stringify(shape);
      await initBackend({ prefer: 'native' });
      const fused = run(shape, index);
      const composed = runComposed(shape, index);
      await initBackend({ prefer: 'cpu' });
      const cpu = run(shape, index);
      expect(fused.y, label).toEqual(composed.y);
      expect(relativeError(fused.y, cpu.y), label).toBeLessThanOrEqual(1e-5);
      fused.grads.forEach((g, k) => {
        expect(relativeError(g, composed.grads[k]), `${label} gradient ${k}`).toBeLessThanOrEqual(1e-4);
        expect(relativeError(g, cpu.grads[k]), `${label} gradient ${k}`).toBeLessThanOrEqual(1e-4);
      });
    }
  });
});

const loaded = loadNativeAddon();
const addon = (loaded.ok ? loaded.addon : null) as NativeAddon;
const bits = (a: Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

describe.skipIf(!loaded.ok)('the layer normalization addon functions', () => {
  const initial = loaded.ok ? addon.info() : null;
  afterAll(() => {
    if (initial !== null) addon.setThreads(initial.threads);
  });

  it('give the same bits on every thread count', () => {
    const [rows, width] = [300, 37];
    const rng = rngFor('native-layer-norm-threads');
    const [x, dy] = [normals(rng, rows * width), normals(rng, rows * width)];
    const [gamma, beta] = [normals(rng, width), normals(rng, width)];
    const results: string[] = [];
    for (const threads of [1, 2, 4]) {
      addon.setThreads(threads);
      const [y, dx] = [new Float32Array(rows * width), new Float32Array(rows * width)];
      const [mean, rstd, dgamma, dbeta] = [rows, rows, width, width].map((n) => new Float32Array(n));
      addon.layerNormForward(x, gamma, beta, y, mean, rstd, rows, width, 1e-5);
      addon.layerNormBackward(dy, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, width);
      results.push([y, mean, rstd, dx, dgamma, dbeta].map(bits).join('/'));
    }
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
  });

  it('reject arrays too short for the shape', () => {
    const small = new Float32Array(10);
    expect(() => addon.layerNormForward(small, small, small, small, small, small, 4, 4, 1e-5)).toThrow(RangeError);
    expect(() => addon.layerNormBackward(small, small, small, small, small, small, small, small, 4, 4)).toThrow(RangeError);
  });
});
