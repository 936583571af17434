import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../kernel-lib/src/backend';

// A process of its own: the wasm backend must not have started before this file runs.
describe('a SIMD flag set before the wasm backend starts', () => {
  it('is kept (say, to reproduce a run recorded without SIMD), recorded, and runs the plain binary', async () => {
    tf.env().set('WASM_HAS_SIMD_SUPPORT', false);
    const info = await initBackend({ prefer: 'wasm' });
    expect(info.flags).toMatchObject({ WASM_HAS_SIMD_SUPPORT: false, WASM_HAS_MULTITHREAD_SUPPORT: false, wasmBinary: 'tfjs-backend-wasm.wasm' });
    const grad = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')));
    expect(Array.from(grad(tf.zeros([2, 2, 1, 1])).dataSync())).toEqual([9, 9, 9, 9]);
  });
});
