/**
 * Native kernels: a whole LSTM layer over its sequence, forward and backward. labbook's own
 * kernels (tfjs has none): models/layers/lstm.ts calls them through tf.customGrad on backends that
 * register them, and runs tfjs's unrolled LSTM everywhere else.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { allFloat32, f32, output, uninitialized, type Backend, type KernelArgs, type NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/rnn.cc). */
export interface RnnAddon {
  /** Fills gates [B, T, 4U] (activated i, f, c~, o), cells [B, T, U] and hs [B, T, U]. */
  lstmForward(
    x: Float32Array, kernel: Float32Array, recurrentKernel: Float32Array, bias: Float32Array,
    gates: Float32Array, cells: Float32Array, hs: Float32Array, b: number, t: number, i: number, u: number,
  ): void;
  /** Back-propagation through time from dy ([B, T, U] with returnSequences, else [B, U]). */
  lstmBackward(
    dy: Float32Array, x: Float32Array, kernel: Float32Array, recurrentKernel: Float32Array,
    gates: Float32Array, cells: Float32Array, hs: Float32Array,
    dx: Float32Array, dKernel: Float32Array, dRecurrentKernel: Float32Array, dBias: Float32Array,
    b: number, t: number, i: number, u: number, returnSequences: number,
  ): void;
}

/** Inputs x [B, T, I], kernel [I, 4U], recurrentKernel [U, 4U], bias [4U]; outputs y, gates, cells, hs. */
export const LSTM_KERNEL = 'LabbookLSTM';
/** Inputs dy, x, kernel, recurrentKernel, gates, cells, hs; outputs dx, dKernel, dRecurrentKernel, dBias. */
export const LSTM_GRAD_KERNEL = 'LabbookLSTMGrad';

function dims(x: TensorInfo, recurrentKernel: TensorInfo): [number, number, number, number] {
  const [b, t, i] = x.shape;
  return [b, t, i, recurrentKernel.shape[0]];
}

function checkFloat32(kernel: string, ...tensors: TensorInfo[]): void {
  if (!allFloat32(...tensors)) throw new Error(`${kernel}: expected float32 tensors, received ${tensors.map((t) => t.dtype).join(', ')}`);
}

function lstm({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { x, kernel, recurrentKernel, bias } = inputs as { [name: string]: TensorInfo };
  const { returnSequences } = attrs as { returnSequences: boolean };
  checkFloat32(LSTM_KERNEL, x, kernel, recurrentKernel, bias);
  const nb = backend as Backend;
  const [b, t, i, u] = dims(x, recurrentKernel);
  const gates = uninitialized(nb, b * t * 4 * u);
  const cells = uninitialized(nb, b * t * u);
  const hs = uninitialized(nb, b * t * u);
  nb.addon.lstmForward(f32(nb, x), f32(nb, kernel), f32(nb, recurrentKernel), f32(nb, bias), gates, cells, hs, b, t, i, u);
  // y is a copy, never hs itself: y and hs are separate tensors, and two must not share one array.
  let y: Float32Array;
  if (returnSequences) y = hs.slice();
  else {
    y = uninitialized(nb, b * u);
    for (let k = 0; k < b; ++k) y.set(hs.subarray((k * t + t - 1) * u, (k * t + t) * u), k * u);
  }
  return [
    output(nb, returnSequences ? [b, t, u] : [b, u], y),
    output(nb, [b, t, 4 * u], gates),
    output(nb, [b, t, u], cells),
    output(nb, [b, t, u], hs),
  ];
}

function lstmGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { dy, x, kernel, recurrentKernel, gates, cells, hs } = inputs as { [name: string]: TensorInfo };
  const { returnSequences } = attrs as { returnSequences: boolean };
  checkFloat32(LSTM_GRAD_KERNEL, dy, x, kernel, recurrentKernel, gates, cells, hs);
  const nb = backend as Backend;
  const [b, t, i, u] = dims(x, recurrentKernel);
  const dx = uninitialized(nb, b * t * i);
  const dKernel = uninitialized(nb, i * 4 * u);
  const dRecurrent = uninitialized(nb, u * 4 * u);
  const dBias = uninitialized(nb, 4 * u);
  nb.addon.lstmBackward(
    f32(nb, dy), f32(nb, x), f32(nb, kernel), f32(nb, recurrentKernel), f32(nb, gates), f32(nb, cells), f32(nb, hs),
    dx, dKernel, dRecurrent, dBias, b, t, i, u, returnSequences ? 1 : 0,
  );
  return [output(nb, x.shape, dx), output(nb, kernel.shape, dKernel), output(nb, recurrentKernel.shape, dRecurrent), output(nb, [4 * u], dBias)];
}


export const rnnKernels: NativeKernel[] = [
  { kernelName: LSTM_KERNEL, kernelFunc: lstm },
  { kernelName: LSTM_GRAD_KERNEL, kernelFunc: lstmGrad },
];
