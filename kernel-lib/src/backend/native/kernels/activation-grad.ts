/**
 * Native kernel: Relu's gradient in one pass. labbook's own kernel (tfjs has none): the Relu
 * gradient registered here uses it on backends that register it, and tfjs's own formula,
 * mul(dy, step(x)), everywhere else -- with the same bits either way.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { f32, output, runningBackendHas, size, uninitialized, type Backend, type KernelArgs, type NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/activation-grad.cc). */
export interface ActivationGradAddon {
  /** out = dy * step(x) over n elements: dy where x > 0, NaN where x is NaN, dy * 0 elsewhere. */
  reluGrad(dy: Float32Array, x: Float32Array, out: Float32Array, n: number): void;
}

/** Inputs dy and x, float32 of one shape; output dy * step(x). */
export const RELU_GRAD_KERNEL = 'LabbookReluGrad';

function reluGradKernel({ inputs, backend }: KernelArgs): TensorInfo {
  const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
  const nb = backend as Backend;
  if (dy.dtype !== 'float32' || x.dtype !== 'float32' || !tf.util.arraysEqual(dy.shape, x.shape)) {
    throw new Error(`${RELU_GRAD_KERNEL}: expected float32 dy and x of one shape, received ${dy.dtype} [${dy.shape}] and ${x.dtype} [${x.shape}]`);
  }
  const n = size(x.shape);
  const out = uninitialized(nb, n);
  nb.addon.reluGrad(f32(nb, dy), f32(nb, x), out, n);
  return output(nb, [...x.shape], out);
}

/** dy * step(x): the kernel where the backend has it (float32 only), tfjs's formula otherwise. */
function reluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (dy.dtype === 'float32' && x.dtype === 'float32' && tf.util.arraysEqual(dy.shape, x.shape) &&
      runningBackendHas(RELU_GRAD_KERNEL)) {
    return tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x }, {}) as tf.Tensor;
  }
  // tfjs-core's gradients/Relu_grad.js.
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

/** Replaces tfjs's Relu gradient (registered for every backend alike). */
export const reluGradConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => reluGrad(dy as tf.Tensor, x) };
  },
};

/** The kernel's own gradient, as tfjs's for mul(dy, step(x)): step(x) again for dy, zeros for x (Step's). */
export const reluGradGradConfig: tf.GradConfig = {
  kernelName: RELU_GRAD_KERNEL,
  inputsToSave: ['x'],
  gradFunc: (ddy, saved) => {
    const [x] = saved;
    return { dy: () => reluGrad(ddy as tf.Tensor, x), x: () => tf.zerosLike(x) };
  },
};

export const activationGradKernels: NativeKernel[] = [{ kernelName: RELU_GRAD_KERNEL, kernelFunc: reluGradKernel }];
