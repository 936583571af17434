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

  describe('in place, where nothing else sees the storage (variables of 1024 elements or more)', () => {
    const n = 3000;
    /** Steps of Adam on one large variable; `hold` runs before each step and may keep a tensor alive over it. */
    async function largeSteps(hold: (w: tf.Variable) => tf.Tensor | null): Promise<{ bits: Uint32Array; moved: number }> {
      await initBackend({ prefer: 'native' });
      const rng = rngFor('native-adam-in-place');
      const w = tf.variable(tf.tensor1d(normals(rng, n)), true, 'large-w');
      const optimizer = createOptimizer({ name: 'adam', learningRate: 0.01 });
      const storage = () => (tf.backend() as unknown as { data: { get(id: object): { values: unknown } } }).data.get(w.dataId).values;
      let moved = 0; // steps after which the variable sits in other storage than before
      for (let step = 0; step < 5; ++step) {
        const before = storage();
        const held = hold(w);
        const gradient = tf.tensor1d(normals(rng, n));
        optimizer.applyGradients({ 'large-w': gradient });
        tf.dispose([gradient, held ?? []].flat());
        if (step >= 1 && storage() !== before) moved += 1;
      }
      const result = { bits: new Uint32Array(w.dataSync().slice().buffer), moved };
      w.dispose();
      optimizer.dispose();
      return result;
    }

    it('updates the variable in its own storage, with the bits of the update into fresh storage', async () => {
      const inPlace = await largeSteps(() => null);
      // A clone held over every step shares the variable's storage: each update goes to fresh storage.
      const fresh = await largeSteps((w) => tf.clone(w));
      expect(inPlace.moved).toBe(0);
      expect(fresh.moved).toBe(4);
      expect(inPlace.bits).toEqual(fresh.bits);
    });

    it('never changes what a clone, a reshape or a read-out array of the variable holds', async () => {
      await initBackend({ prefer: 'native' });
      const rng = rngFor('native-adam-in-place-readers');
      const w = tf.variable(tf.tensor2d(normals(rng, 2048), [32, 64]), true, 'readers-w');
      const optimizer = createOptimizer({ name: 'adam', learningRate: 0.5 });
      const step = () => {
        const gradient = tf.ones([32, 64]);
        optimizer.applyGradients({ 'readers-w': gradient });
        gradient.dispose();
      };
      step();
      step(); // the variable now sits in storage the pool owns
      const clone = tf.clone(w);
      const reshaped = tf.reshape(w, [2048]);
      const before = w.dataSync().slice();
      step();
      expect(clone.dataSync()).toEqual(before);
      expect(reshaped.dataSync()).toEqual(before);
      tf.dispose([clone, reshaped]);
      step(); // alone again, in fresh storage: its next step may be in place
      const readOut = w.dataSync(); // the backend's own array, which the reader may keep
      const copy = readOut.slice();
      step();
      step();
      expect(readOut).toEqual(copy);
      expect(w.dataSync()).not.toEqual(copy);
      w.dispose();
      optimizer.dispose();
    });
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

  it('in place gives the bits of the update into fresh arrays, at every thread count', () => {
    const rng = rngFor('native-adam-threads-in-place');
    const n = 70_001;
    const [w, m, g] = [normals(rng, n), normals(rng, n), normals(rng, n)];
    const v = normals(rng, n).map(Math.abs);
    const fresh = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    addon.adamUpdate(w, m, v, g, fresh[0], fresh[1], fresh[2], 0.001, 0.9, 0.999, 1e-7, 0.1, 0.001, 0.1, 0.001);
    expectOneResult({ ...everywhere(() => {
      const state = [w.slice(), m.slice(), v.slice()];
      addon.adamUpdateInPlace(state[0], state[1], state[2], g, 0.001, 0.9, 0.999, 1e-7, 0.1, 0.001, 0.1, 0.001);
      return bits(...state);
    }), fresh: bits(...fresh) });
    expect(() => addon.adamUpdateInPlace(w, w, v, g, 0.001, 0.9, 0.999, 1e-7, 0.1, 0.001, 0.1, 0.001)).toThrow('four distinct arrays');
  });
});
