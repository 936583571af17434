/**
 * The fused attention kernels (native/src/attention.cc) against tfjs's composition, with padded
 * keys: the output and every gradient within a tolerance of the composition's on native (the
 * fused softmax takes a float exp, the Softmax kernel a double one; the input's gradient sums its
 * three projections in one product there) and of cpu's; the same bits on every instruction path
 * and thread count.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL, initBackend } from '../../kernel-lib/src/backend';
import { MultiHeadAttention } from '../../kernel-lib/src/models/layers';
import { between, normals, relativeError, rngFor } from './helpers';
import { addon, bits, everywhere, expectOneResult, ISAS, loaded, restorePathAfterAll } from './native-paths';

type Case = { b: number; t: number; heads: number; dk: number; padded: number[] };
type Outcome = { y: Float32Array; grads: Float32Array[] };

/** mask rows: 1 for the first t - padded[row] steps, then 0 (padded[row] may be t: all padding). */
function maskOf(c: Case): tf.Tensor {
  const m = new Float32Array(c.b * c.t);
  for (let r = 0; r < c.b; ++r) for (let j = 0; j < c.t - c.padded[r]; ++j) m[r * c.t + j] = 1;
  return tf.tensor2d(m, [c.b, c.t]);
}

/** The layer's output and the gradients of sum(y * r) for x and every weight, on the backend in use. */
function run(c: Case, index: number): Outcome {
  const rng = rngFor('native-attention', index);
  const d = c.heads * c.dk;
  const layer = new MultiHeadAttention({ heads: c.heads, seeds: { query: 1, key: 2, value: 3, output: 4 } });
  const x = tf.variable(tf.tensor3d(normals(rng, c.b * c.t * d), [c.b, c.t, d]), true);
  const mask = maskOf(c);
  tf.dispose(layer.apply([x, mask]) as tf.Tensor); // builds the weights
  layer.setWeights(layer.getWeights().map((w) => tf.tensor(normals(rng, w.size), w.shape).mul(0.5)));
  const r = tf.tensor(normals(rng, c.b * c.t * d), [c.b, c.t, d]);
  const y = layer.apply([x, mask]) as tf.Tensor;
  const variables = [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply([x, mask]) as tf.Tensor, r)), variables);
  const outcome = { y: y.dataSync().slice() as Float32Array, grads: variables.map((v) => grads[v.name].dataSync().slice() as Float32Array) };
  tf.dispose([x, r, y, mask, ...Object.values(grads)]);
  layer.dispose();
  return outcome;
}

/** run() on native with the fused kernels unregistered, so the layer takes tfjs's composition. */
function runComposed(c: Case, index: number): Outcome {
  const configs = [ATTENTION_KERNEL, ATTENTION_GRAD_KERNEL].map((name) => tf.getKernel(name, 'native')!);
  configs.forEach((k) => tf.unregisterKernel(k.kernelName, 'native'));
  try {
    return run(c, index);
  } finally {
    configs.forEach((k) => tf.registerKernel(k));
  }
}

function randomCase(index: number): Case {
  const rng = rngFor('native-attention-shape', index);
  const b = between(rng, 1, 4);
  const t = between(rng, 1, 12);
  // Row 0 keeps every token; the others lose a random tail, sometimes all of it.
  return { b, t, heads: between(rng, 1, 4), dk: between(rng, 1, 6), padded: Array.from({ length: b }, (_, r) => (r === 0 ? 0 : between(rng, 0, t))) };
}

describe('fused attention kernels on the native backend', () => {
  it('are registered on native only', async () => {
    await initBackend({ prefer: 'native' });
    expect(tf.getKernel(ATTENTION_KERNEL, 'native')).toBeDefined();
    expect(tf.getKernel(ATTENTION_KERNEL, 'cpu')).toBeUndefined();
  });

  it('match the composition within a tolerance on native and on cpu (not its bits: a float exp), forward and every gradient, with padding', async () => {
    for (let index = 0; index < 12; ++index) {
      const c = randomCase(index);
      await initBackend({ prefer: 'native' });
      const fused = run(c, index);
      const composed = runComposed(c, index);
      await initBackend({ prefer: 'cpu' });
      const cpu = run(c, index);
      const label = JSON.stringify(c);
      expect(relativeError(fused.y, composed.y), label).toBeLessThanOrEqual(1e-5);
      expect(relativeError(fused.y, cpu.y), label).toBeLessThanOrEqual(1e-5);
      fused.grads.forEach((g, k) => {
        expect(relativeError(g, composed.grads[k]), `${label} gradient ${k}`).toBeLessThanOrEqual(1e-5);
        expect(relativeError(g, cpu.grads[k]), `${label} gradient ${k}`).toBeLessThanOrEqual(1e-5);
      });
    }
  });

  it('give padded keys no weight: changing a padded position\'s input changes no real query\'s output', async () => {
    await initBackend({ prefer: 'native' });
    const layer = new MultiHeadAttention({ heads: 2, seeds: { query: 5, key: 6, value: 7, output: 8 } });
    const rng = rngFor('native-attention-mask');
    const base = normals(rng, 2 * 5 * 4);
    const changed = base.slice();
    for (let j = 3; j < 5; ++j) for (let e = 0; e < 4; ++e) changed[(5 + j) * 4 + e] += 10; // row 1, padded steps 3, 4
    const mask = tf.tensor2d([1, 1, 1, 1, 1, 1, 1, 1, 0, 0], [2, 5]);
    const y1 = (layer.apply([tf.tensor3d(base, [2, 5, 4]), mask]) as tf.Tensor).arraySync() as number[][][];
    const y2 = (layer.apply([tf.tensor3d(changed, [2, 5, 4]), mask]) as tf.Tensor).arraySync() as number[][][];
    expect(y2[0]).toEqual(y1[0]);
    expect(y2[1].slice(0, 3)).toEqual(y1[1].slice(0, 3));
    layer.dispose();
  });
});

describe.skipIf(!loaded.ok)('the attention addon functions', () => {
  restorePathAfterAll();

  it('give the same bits on every instruction path and thread count', () => {
    // Odd sizes (partial tile panels, Gemm's columns) and the zoo's (whole 16- and 64-wide panels).
    for (const [b, t, h, dk] of [[5, 19, 3, 17], [2, 64, 4, 16], [1, 70, 2, 33]]) expectSameBits(b, t, h, dk);
  });

  function expectSameBits(b: number, t: number, h: number, dk: number): void {
    const n = b * t * h * dk;
    const rng = rngFor('native-attention-paths');
    const [qkv, dctx] = [normals(rng, 3 * n), normals(rng, n)];
    const mask = Float32Array.from({ length: b * t }, (_, i) => (i % t < t - (i / t | 0) * 3 ? 1 : 0));
    const results = everywhere(() => {
      const probs = new Float32Array(b * h * t * t);
      const ctx = new Float32Array(n);
      const dqkv = new Float32Array(3 * n);
      addon.attentionForward(qkv, mask, probs, ctx, b, t, h, dk, 0.25);
      addon.attentionBackward(dctx, qkv, probs, dqkv, b, t, h, dk, 0.25);
      return bits(probs, ctx, dqkv);
    });
    expectOneResult(results);
  }

  it('give a query whose logits hold a NaN NaN probabilities, and leave the other queries finite, on every path', () => {
    const [b, t, h, dk] = [1, 20, 1, 4];
    const qkv = normals(rngFor('native-attention-nan'), 3 * t * dk);
    qkv[7 * 3 * dk + 1] = NaN; // step 7's query
    const mask = new Float32Array(t).fill(1);
    for (const isa of ISAS) {
      expect(addon.setIsa(isa)).toBe(true);
      const probs = new Float32Array(t * t);
      addon.attentionForward(qkv, mask, probs, new Float32Array(t * dk), b, t, h, dk, 0.5);
      for (let i = 0; i < t; ++i) {
        const row = Array.from(probs.subarray(i * t, (i + 1) * t));
        expect(row.every((p) => (i === 7 ? Number.isNaN(p) : Number.isFinite(p))), `${isa} row ${i}`).toBe(true);
      }
    }
  });

  it('reject arrays too short for the shape', () => {
    const small = new Float32Array(10);
    expect(() => addon.attentionForward(small, small, small, small, 1, 4, 2, 2, 1)).toThrow(RangeError);
    expect(() => addon.attentionBackward(small, small, small, small, 1, 4, 2, 2, 1)).toThrow(RangeError);
  });
});
