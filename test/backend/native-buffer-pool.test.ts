import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../kernel-lib/src/backend';
import type { NativeBackend } from '../../kernel-lib/src/backend/native/backend';
import { buildModel, type ModelConfig } from '../../kernel-lib/src/models';
import { sparseCategoricalCrossEntropy } from '../../kernel-lib/src/train/losses';
import { normals, rngFor } from './helpers';

// The native backend reuses disposed output storage (backend/native/buffers.ts). These check that
// reuse happens, and that no array a caller or another tensor can still see is ever reused.
const pool = () => (tf.backend() as NativeBackend).pool;
const operand = (i: number) => tf.tensor(normals(rngFor('buffer-pool', i), 64 * 64), [64, 64]);

describe('native buffer pool', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'native' });
  });

  it('gives a disposed product storage to the next product of that size', () => {
    const [a, b] = [operand(1), operand(2)];
    const first = tf.matMul(a, b);
    const before = pool().pooledBytes;
    first.dispose();
    expect(pool().pooledBytes).toBe(before + 64 * 64 * 4);
    const second = tf.matMul(b, a);
    expect(pool().pooledBytes).toBe(before);
    tf.dispose([a, b, second]);
  });

  it('never reuses an array read out with dataSync, even after its tensor is disposed', () => {
    const [a, b] = [operand(3), operand(4)];
    const y = tf.matMul(a, b);
    const values = y.dataSync();
    const copy = values.slice();
    y.dispose();
    const others = [tf.matMul(b, a), tf.matMul(a, a), tf.matMul(b, b)];
    expect(values).toEqual(copy);
    tf.dispose([a, b, ...others]);
  });

  it('never reuses an array a cpu kernel may keep a view of (a contiguous slice)', () => {
    const [a, b] = [operand(5), operand(6)];
    const y = tf.matMul(a, b);
    const row = tf.slice(y, [3, 0], [1, 64]);
    const expected = y.dataSync().slice(3 * 64, 4 * 64);
    y.dispose();
    const others = [tf.matMul(b, a), tf.matMul(a, a), tf.matMul(b, b)];
    expect(row.dataSync()).toEqual(expected);
    tf.dispose([a, b, row, ...others]);
  });

  it('keeps a reshaped tensor alive on its storage until the last reference is disposed', () => {
    const [a, b] = [operand(7), operand(8)];
    const y = tf.matMul(a, b);
    const flat = tf.reshape(y, [64 * 64]);
    y.dispose();
    const others = [tf.matMul(b, a), tf.matMul(a, a)];
    const expected = tf.matMul(a, b);
    expect(flat.dataSync()).toEqual(expected.dataSync());
    tf.dispose([a, b, flat, expected, ...others]);
  });

  it('keeps a float32 cast in the pool (it is a counted reference, as Identity is), while a complex64 cast escapes', () => {
    const [a, b] = [operand(11), operand(12)];
    const y = tf.matMul(a, b);
    const expected = y.dataSync().slice();
    const same = tf.matMul(a, b); // not read out: still the pool's
    const cast = tf.cast(same, 'float32');
    same.dispose();
    const others = [tf.matMul(b, a), tf.matMul(a, a)]; // the storage still backs the cast: not reused
    expect(cast.dataSync()).toEqual(expected);
    const before = pool().pooledBytes;
    const third = tf.matMul(a, b);
    const kept = tf.cast(third, 'float32');
    tf.dispose([third, kept]);
    expect(pool().pooledBytes).toBe(before + 64 * 64 * 4); // back in the pool once both are gone
    const fourth = tf.matMul(a, b);
    const complex = tf.cast(fourth, 'complex64'); // built on fourth's own array
    fourth.dispose();
    const more = [tf.matMul(b, a), tf.matMul(a, a), tf.matMul(b, b)];
    expect(tf.real(complex).dataSync()).toEqual(expected);
    tf.dispose([a, b, y, cast, complex, ...others, ...more]);
  });

  it('gives the same training results as fresh storage (a step repeated from the same state)', () => {
    const [x, w] = [operand(9), tf.variable(operand(10))];
    const step = () => tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.relu(tf.matMul(x, v))))(w).dataSync().slice());
    const once = step();
    for (let i = 0; i < 5; ++i) expect(step()).toEqual(once);
    tf.dispose([x, w]);
  });

  // Kernels take unwritten storage from the pool: poisoned with NaN, any element a kernel forgot
  // to write would reach the gradients.
  const ZOO: [string, ModelConfig, number[], number?][] = [
    ['mlp', { kind: 'mlp', task: 'classification', outputs: 3, inputShape: [40], hidden: [32] }, [40]],
    ['cnn', { kind: 'cnn', task: 'classification', outputs: 3, inputShape: [12, 12, 1] }, [12, 12, 1]],
    ['lstm', { kind: 'lstm', task: 'classification', outputs: 3, inputShape: [6, 5], units: [16, 16] }, [6, 5]],
    ['transformer', { kind: 'transformer', task: 'classification', outputs: 3, vocabSize: 50, maxLen: 8, dModel: 16, heads: 2, ffDim: 32, layers: 1 }, [8], 50],
  ];

  it.each(ZOO)('gives a %s training step the same gradients when unwritten storage is NaN', (_name, config, input, tokens) => {
    const model = buildModel(config, { seed: 3 });
    const rng = rngFor('buffer-pool-zoo', _name);
    const n = 8 * input.reduce((a, b) => a * b, 1);
    const x = tokens
      ? tf.tensor(Int32Array.from({ length: n }, (_, i) => 1 + ((i * 7 + rng.int(tokens - 1)) % (tokens - 1))), [8, ...input], 'int32')
      : tf.tensor(normals(rng, n), [8, ...input]);
    const y = tf.tensor1d(Int32Array.from({ length: 8 }, (_, i) => i % 3), 'int32');
    const gradients = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => sparseCategoricalCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor));
        return Object.keys(grads).sort().map((k) => Array.from(grads[k].dataSync()));
      });
    const clean = gradients();
    pool().poison = true;
    try {
      const poisoned = gradients();
      expect(poisoned.flat().some(Number.isNaN)).toBe(false);
      expect(poisoned).toEqual(clean);
    } finally {
      pool().poison = false;
      tf.dispose([x, y]);
      model.dispose();
    }
  });
});
