import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../kernel-lib/src/backend';
import { ACTIVATIONS } from '../../kernel-lib/src/backend/native/kernels/matmul';
import { between, expectNativeClose, normals, onAll, pick, rngFor } from './helpers';

/** Random operand shapes: batch dims equal, one side 1 (broadcast) or absent; any transposes. */
function matmulCase(i: number) {
  const rng = rngFor('native-matmul', i);
  const [m, n, k] = [between(rng, 1, 40), between(rng, 1, 40), between(rng, 1, 70)];
  const transposeA = rng.int(2) === 1;
  const transposeB = rng.int(2) === 1;
  const batch = pick(rng, [[], [3], [2, 3]] as number[][]);
  const broadcast = batch.length > 0 ? pick(rng, ['none', 'a', 'b'] as const) : 'none';
  const outerA = broadcast === 'a' ? batch.map(() => 1) : batch;
  const outerB = broadcast === 'b' ? (rng.int(2) ? [] : batch.map(() => 1)) : batch;
  const aShape = [...outerA, ...(transposeA ? [k, m] : [m, k])];
  const bShape = [...outerB, ...(transposeB ? [n, k] : [k, n])];
  const a = normals(rng, aShape.reduce((p, d) => p * d, 1));
  const b = normals(rng, bShape.reduce((p, d) => p * d, 1));
  return { rng, m, n, aShape, bShape, a, b, transposeA, transposeB, broadcast, label: JSON.stringify({ aShape, bShape, transposeA, transposeB }) };
}

describe('native matmul kernels', () => {
  it('are the ones registered on native, not the cpu kernels', async () => {
    await initBackend({ prefer: 'native' });
    for (const name of ['BatchMatMul', '_FusedMatMul']) {
      expect(tf.getKernel(name, 'native')!.kernelFunc, name).not.toBe(tf.getKernel(name, 'cpu')!.kernelFunc);
    }
  });

  it('BatchMatMul matches cpu on 40 random shapes, transposes and broadcast batch dims, forward and both gradients', async () => {
    for (let i = 0; i < 40; ++i) {
      const c = matmulCase(i);
      await expectNativeClose(c.label, () => {
        const a = tf.tensor(c.a, c.aShape);
        const b = tf.tensor(c.b, c.bShape);
        const y = tf.matMul(a, b, c.transposeA, c.transposeB);
        // tfjs's BatchMatMul gradient does not sum over broadcast batch dims (on any backend).
        if (c.broadcast !== 'none') return [y];
        const weights = tf.tensor(normals(rngFor('native-matmul-weights', i), y.size), y.shape);
        const grads = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, w, c.transposeA, c.transposeB), weights)))([a, b]);
        return [y, ...grads];
      });
    }
  });

  it('_FusedMatMul matches cpu with every activation and bias shape, forward and gradients', async () => {
    for (let i = 0; i < 36; ++i) {
      const c = matmulCase(100 + i);
      const activation = ACTIVATIONS[i % ACTIVATIONS.length];
      const biasShape = pick(c.rng, [[c.n], [1], [1, c.n]] as number[][]);
      const bias = normals(c.rng, biasShape.reduce((p, d) => p * d, 1));
      const label = `${c.label} ${activation} bias ${JSON.stringify(biasShape)}`;
      await expectNativeClose(label, () => {
        const a = tf.tensor(c.a, c.aShape);
        const b = tf.tensor(c.b, c.bShape);
        const biasT = tf.tensor(bias, biasShape);
        const fused = (x: tf.Tensor, w: tf.Tensor, bi: tf.Tensor) =>
          tf.fused.matMul({ a: x, b: w, transposeA: c.transposeA, transposeB: c.transposeB, bias: bi, activation, leakyreluAlpha: 0.3 });
        const y = fused(a, b, biasT);
        // Gradients only through linear and relu (tfjs differentiates the fused op for those), unbroadcast.
        if ((activation !== 'linear' && activation !== 'relu') || c.broadcast !== 'none') return [y];
        return [y, ...tf.grads((x: tf.Tensor, w: tf.Tensor, bi: tf.Tensor) => tf.sum(fused(x, w, bi)))([a, b, biasT])];
      });
    }
  });

  it('gives -0 and NaN through relu as cpu does, and the same bits twice', async () => {
    const compute = () => [tf.fused.matMul({ a: tf.tensor2d([[-0, 1], [NaN, 0]]), b: tf.tensor2d([[1, 0], [0, 1]]), activation: 'relu' })];
    const [native] = await onAll('native', compute);
    const [cpu] = await onAll('cpu', compute);
    expect(Array.from(native.values).map((v) => Object.is(v, -0) ? '-0' : String(v))).toEqual(Array.from(cpu.values).map((v) => Object.is(v, -0) ? '-0' : String(v)));
    const again = await onAll('native', compute);
    expect(again[0].values).toEqual(native.values);
  });
});
