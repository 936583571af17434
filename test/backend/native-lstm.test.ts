import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, LSTM_KERNEL } from '../../kernel-lib/src/backend';
import { LSTM } from '../../kernel-lib/src/models/layers';
import { between, normals, relativeError, rngFor } from './helpers';

type Case = { b: number; t: number; i: number; u: number; returnSequences: boolean };
type Outcome = { y: Float32Array; grads: Float32Array[] };

/** The layer's output and the gradients of sum(y * r) for x and every weight, on `backend`. */
async function run(backend: 'native' | 'cpu', c: Case, index: number): Promise<Outcome> {
  await initBackend({ prefer: backend });
  const rng = rngFor('native-lstm', index);
  const layer = new LSTM({ units: c.u, returnSequences: c.returnSequences, recurrentActivation: 'sigmoid', unitForgetBias: true });
  const x = tf.variable(tf.tensor3d(normals(rng, c.b * c.t * c.i), [c.b, c.t, c.i]), true, `x${index}${backend}`);
  tf.dispose(layer.apply(x) as tf.Tensor); // builds the weights
  layer.setWeights([
    tf.tensor2d(normals(rng, c.i * 4 * c.u), [c.i, 4 * c.u]).mul(0.3),
    tf.tensor2d(normals(rng, c.u * 4 * c.u), [c.u, 4 * c.u]).mul(0.3),
    tf.tensor1d(normals(rng, 4 * c.u)).mul(0.3),
  ]);
  const r = tf.tensor(normals(rng, c.b * (c.returnSequences ? c.t : 1) * c.u), c.returnSequences ? [c.b, c.t, c.u] : [c.b, c.u]);
  const y = layer.apply(x) as tf.Tensor;
  const variables = [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, r)), variables);
  const outcome = { y: y.dataSync().slice() as Float32Array, grads: variables.map((v) => grads[v.name].dataSync().slice() as Float32Array) };
  tf.dispose([x, r, y, ...Object.values(grads)]);
  layer.dispose();
  return outcome;
}

describe('whole-sequence LSTM kernels on the native backend', () => {
  it('are registered on native only', async () => {
    await initBackend({ prefer: 'native' });
    expect(tf.getKernel(LSTM_KERNEL, 'native')).toBeDefined();
    expect(tf.getKernel(LSTM_KERNEL, 'cpu')).toBeUndefined();
  });

  // t >= 2: tfjs's own LSTM cannot take the gradient for x through a one-step sequence (its Unpack gradient).
  it('match tfjs\'s unrolled LSTM on cpu, forward and every gradient, on 16 random shapes', async () => {
    for (let index = 0; index < 16; ++index) {
      const rng = rngFor('native-lstm-shape', index);
      const c: Case = { b: between(rng, 1, 4), t: between(rng, 2, 12), i: between(rng, 1, 7), u: between(rng, 1, 9), returnSequences: index % 2 === 0 };
      const native = await run('native', c, index);
      const cpu = await run('cpu', c, index);
      expect(relativeError(native.y, cpu.y), JSON.stringify(c)).toBeLessThanOrEqual(1e-5);
      native.grads.forEach((g, k) => expect(relativeError(g, cpu.grads[k]), `${JSON.stringify(c)} gradient ${k}`).toBeLessThanOrEqual(1e-5));
    }
  });

  it('gives the same bits twice', async () => {
    const c: Case = { b: 3, t: 10, i: 4, u: 6, returnSequences: true };
    const first = await run('native', c, 99);
    const second = await run('native', c, 99);
    expect(second).toEqual(first);
  });
});
