import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ADAM_UPDATE_KERNEL, GLOBAL_NORM_KERNEL, initBackend } from '../../kernel-lib/src/backend';
import { createOptimizer } from '../../kernel-lib/src/train';
import { globalNorm } from '../../kernel-lib/src/train/step';
import { between, normals, relativeError, rngFor } from './helpers';
import { addon, bits, everywhere, expectOneResult, loaded, restorePathAfterAll } from './native-paths';

type Snapshot = { weights: Float32Array[]; optimizer: { name: string; values: Float32Array }[] };

/**
 * Six Adam (or AdamW) steps on two variables from fixed random gradients (so only the update
 * arithmetic differs between backends); the variables and optimizer state after them.
 */
async function adamSteps(backend: 'native' | 'cpu', name: 'adam' | 'adamw'): Promise<Snapshot> {
  await initBackend({ prefer: backend });
  const rng = rngFor('native-adam');
  const w = tf.variable(tf.tensor2d(normals(rng, 12), [3, 4]), true, 'w');
  const b = tf.variable(tf.tensor1d(normals(rng, 4)), true, 'b');
  const optimizer = createOptimizer({ name, learningRate: 0.05 });
  for (let step = 0; step < 6; ++step) {
    const grads = { w: tf.tensor2d(normals(rng, 12), [3, 4]), b: tf.tensor1d(normals(rng, 4)) };
    optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
  const snapshot: Snapshot = {
    weights: [w.dataSync().slice() as Float32Array, b.dataSync().slice() as Float32Array],
    optimizer: (await optimizer.getWeights()).map((v) => ({ name: v.name, values: v.tensor.dataSync().slice() as Float32Array })),
  };
  tf.dispose([w, b]);
  optimizer.dispose();
  return snapshot;
}

describe('fused Adam update on the native backend', () => {
  it('is the kernel the native backend registers, and no other backend has it', async () => {
    await initBackend({ prefer: 'native' });
    expect(tf.getKernel(ADAM_UPDATE_KERNEL, 'native')).toBeDefined();
    expect(tf.getKernel(ADAM_UPDATE_KERNEL, 'cpu')).toBeUndefined();
  });

  for (const name of ['adam', 'adamw'] as const) {
    it(`${name}: matches tfjs's unfused update on cpu (weights and moments, same state names)`, async () => {
      const native = await adamSteps('native', name);
      const cpu = await adamSteps('cpu', name);
      native.weights.forEach((values, i) => expect(relativeError(values, cpu.weights[i])).toBeLessThanOrEqual(1e-5));
      expect(native.optimizer.map((v) => v.name)).toEqual(cpu.optimizer.map((v) => v.name));
      native.optimizer.forEach((v, i) => expect(relativeError(v.values, cpu.optimizer[i].values)).toBeLessThanOrEqual(1e-5));
    });
  }

  it('never writes into storage another tensor shares: a clone keeps its values', async () => {
    await initBackend({ prefer: 'native' });
    const w = tf.variable(tf.tensor1d([1, 2, 3, 4]), true, 'shared-w');
    const clone = tf.clone(w); // shares w's storage
    const optimizer = createOptimizer({ name: 'adam', learningRate: 0.5 });
    optimizer.applyGradients({ 'shared-w': tf.tensor1d([1, -1, 1, -1]) });
    expect(Array.from(clone.dataSync())).toEqual([1, 2, 3, 4]);
    Array.from(w.dataSync()).forEach((value, i) => expect(value).toBeCloseTo([0.5, 2.5, 2.5, 4.5][i], 4));
    optimizer.applyGradients({ 'shared-w': tf.tensor1d([1, -1, 1, -1]) });
    expect(Array.from(clone.dataSync())).toEqual([1, 2, 3, 4]);
    expect(w.dataSync()[0]).toBeCloseTo(0, 4);
    tf.dispose([w, clone]);
    optimizer.dispose();
  });

  it('never writes into another tensor through a variable made from a slice of it (the cpu backend\'s views)', async () => {
    await initBackend({ prefer: 'native' });
    const big = tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8]);
    const part = tf.slice(big, [0], [4]); // a view of big's storage
    const w = tf.variable(part, true, 'slice-w');
    part.dispose();
    const optimizer = createOptimizer({ name: 'adam', learningRate: 0.5 });
    for (let step = 0; step < 2; ++step) optimizer.applyGradients({ 'slice-w': tf.ones([4]) });
    expect(Array.from(big.dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    tf.dispose([big, w]);
    optimizer.dispose();
  });

  it('gives the same bits twice', async () => {
    const first = await adamSteps('native', 'adam');
    const second = await adamSteps('native', 'adam');
    expect(second.weights).toEqual(first.weights);
  });
});

describe('global gradient norm on the native backend', () => {
  async function norm(backend: 'native' | 'cpu', index: number): Promise<number> {
    await initBackend({ prefer: backend });
    const rng = rngFor('native-global-norm', index);
    const tensors = Array.from({ length: between(rng, 1, 5) }, () => {
      const shape = [between(rng, 1, 30), between(rng, 1, 30)];
      return tf.tensor(normals(rng, shape[0] * shape[1]), shape).mul(index % 2 ? 1e3 : 1e-3);
    });
    const value = globalNorm(tensors).dataSync()[0];
    tf.dispose(tensors);
    return value;
  }

  it('is one native kernel matching sqrt(addN(sum(square(g)))) on cpu', async () => {
    await initBackend({ prefer: 'native' });
    expect(tf.getKernel(GLOBAL_NORM_KERNEL, 'native')).toBeDefined();
    for (let index = 0; index < 12; ++index) {
      const [native, cpu] = [await norm('native', index), await norm('cpu', index)];
      expect(Math.abs(native - cpu) / cpu).toBeLessThanOrEqual(1e-5);
    }
  });
});

describe.skipIf(!loaded.ok)('the Adam update split over threads', () => {
  restorePathAfterAll();

  it('gives the same bits at every thread count (slices of a 100k-weight layer and a ragged end)', () => {
    const rng = rngFor('native-adam-threads');
    const n = 100_003;
    const [w, m, g] = [normals(rng, n), normals(rng, n), normals(rng, n)];
    const v = normals(rng, n).map(Math.abs);
    expectOneResult(everywhere(() => {
      const out = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      addon.adamUpdate(w, m, v, g, out[0], out[1], out[2], 0.001, 0.9, 0.999, 1e-7, 0.1, 0.001, 0.1, 0.001);
      return bits(...out);
    }));
  });
});
