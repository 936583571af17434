import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, SPARSE_CE_KERNEL } from '../../kernel-lib/src/backend';
import { sparseCategoricalCrossEntropy } from '../../kernel-lib/src/train/losses';
import { between, normals, relativeError, rngFor } from './helpers';

type Outcome = { loss: number; grad: Float32Array };

/** The loss of random logits (scaled by `scale`) against `labels`, and its gradient for the logits. */
async function lossAndGrad(backend: 'native' | 'cpu', index: number, n: number, k: number, labels: number[], scale: number): Promise<Outcome> {
  await initBackend({ prefer: backend });
  const logits = tf.tensor2d(normals(rngFor('native-loss', index), n * k), [n, k]).mul(scale);
  const y = tf.tensor1d(labels, 'int32');
  const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => sparseCategoricalCrossEntropy(y, x))([logits]);
  const outcome = { loss: value.dataSync()[0], grad: grads[0].dataSync().slice() as Float32Array };
  tf.dispose([logits, y, value, ...grads]);
  return outcome;
}

describe('fused sparse softmax cross-entropy on the native backend', () => {
  it('is registered on native only', async () => {
    await initBackend({ prefer: 'native' });
    expect(tf.getKernel(SPARSE_CE_KERNEL, 'native')).toBeDefined();
    expect(tf.getKernel(SPARSE_CE_KERNEL, 'cpu')).toBeUndefined();
  });

  it('matches the composed loss on cpu, value and gradient, on 24 random batches (large logits and out-of-range labels included)', async () => {
    for (let index = 0; index < 24; ++index) {
      const rng = rngFor('native-loss-shape', index);
      // k >= 2: tfjs's oneHot (the composed loss) refuses depth 1.
      const [n, k] = [between(rng, 1, 40), between(rng, 2, 12)];
      // Every fourth batch has labels outside 0..k-1, which add 0 (their one-hot rows are zero).
      const labels = Array.from({ length: n }, () => (index % 4 === 3 && rng.int(3) === 0 ? k + rng.int(2) : rng.int(k)));
      const scale = index % 3 === 2 ? 1e3 : 1;
      const native = await lossAndGrad('native', index, n, k, labels, scale);
      const cpu = await lossAndGrad('cpu', index, n, k, labels, scale);
      expect(Math.abs(native.loss - cpu.loss) / Math.max(1, Math.abs(cpu.loss)), `${n}x${k}`).toBeLessThanOrEqual(1e-5);
      expect(relativeError(native.grad, cpu.grad), `${n}x${k}`).toBeLessThanOrEqual(1e-5);
    }
  });

  it('accepts [n, 1] labels and float labels like the composed loss', async () => {
    await initBackend({ prefer: 'native' });
    const logits = tf.tensor2d([[1, 2, 3], [3, 2, 1]]);
    const a = sparseCategoricalCrossEntropy(tf.tensor2d([[2], [0]], [2, 1], 'int32'), logits).dataSync()[0];
    const b = sparseCategoricalCrossEntropy(tf.tensor1d([2, 0]), logits).dataSync()[0];
    const expected = -Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
    expect(a).toBeCloseTo(expected, 6);
    expect(b).toBeCloseTo(expected, 6);
  });
});
