/**
 * Native kernels: softmax cross-entropy of integer labels against logits, forward and gradient.
 * labbook's own kernels (tfjs has none): train/losses.ts uses them through tf.customGrad on
 * backends that register them, and tfjs's composition of log-softmax, one-hot and mean elsewhere.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { f32, ints, output, uninitialized, type Backend, type KernelArgs, type NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/loss.cc). */
export interface LossAddon {
  /** Fills probs (softmax per row) and returns the mean cross-entropy; labels outside 0..k-1 add 0. */
  sparseSoftmaxCrossEntropy(logits: Float32Array, labels: Int32Array, probs: Float32Array, n: number, k: number): number;
  /** dlogits = dy * (probs - onehot(labels)) / n; rows with labels outside 0..k-1 get 0. */
  sparseSoftmaxCrossEntropyGrad(probs: Float32Array, labels: Int32Array, dlogits: Float32Array, n: number, k: number, dy: number): void;
}

/** Inputs logits [n, k] float32, labels [n] int32; outputs the mean loss (a scalar) and the softmax [n, k]. */
export const SPARSE_CE_KERNEL = 'LabbookSparseSoftmaxCrossEntropy';
/** Inputs dy (scalar), probs [n, k], labels [n]; output dlogits [n, k]. */
export const SPARSE_CE_GRAD_KERNEL = 'LabbookSparseSoftmaxCrossEntropyGrad';

function labelsOf(backend: Backend, labels: TensorInfo): Int32Array {
  const values = labels.dtype === 'int32' ? ints(backend, labels) : null;
  if (values === null) throw new Error(`${SPARSE_CE_KERNEL}: expected int32 labels, received ${labels.dtype}`);
  return values;
}

function sparseCrossEntropy({ inputs, backend }: KernelArgs): TensorInfo[] {
  const { logits, labels } = inputs as { logits: TensorInfo; labels: TensorInfo };
  const nb = backend as Backend;
  const [n, k] = logits.shape;
  const probs = uninitialized(nb, n * k);
  const loss = nb.addon.sparseSoftmaxCrossEntropy(f32(nb, logits), labelsOf(nb, labels), probs, n, k);
  return [output(nb, [], Float32Array.of(loss)), output(nb, [n, k], probs)];
}

function sparseCrossEntropyGrad({ inputs, backend }: KernelArgs): TensorInfo {
  const { dy, probs, labels } = inputs as { dy: TensorInfo; probs: TensorInfo; labels: TensorInfo };
  const nb = backend as Backend;
  const [n, k] = probs.shape;
  const dlogits = uninitialized(nb, n * k);
  nb.addon.sparseSoftmaxCrossEntropyGrad(f32(nb, probs), labelsOf(nb, labels), dlogits, n, k, f32(nb, dy)[0]);
  return output(nb, [n, k], dlogits);
}

export const lossKernels: NativeKernel[] = [
  { kernelName: SPARSE_CE_KERNEL, kernelFunc: sparseCrossEntropy },
  { kernelName: SPARSE_CE_GRAD_KERNEL, kernelFunc: sparseCrossEntropyGrad },
];
