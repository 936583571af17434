/** Native kernels: broadcasting element-wise binary ops, unary ops (activations, exp/log family, ClipByValue, LeakyRelu) and AddN, float32 only. */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs';
import { allFloat32, f32, output, size, uninitialized, withFallback, type Backend, type KernelArgs, type NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/elementwise.cc). */
export interface ElementwiseAddon {
  /**
   * out = op(a, b) for op = BINARY_OPS[op], row-major over `dims`: one (size, aStride, bStride)
   * triple per dim of the collapsed broadcast (see collapse), outermost first.
   */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, dims: Int32Array): void;
  /**
   * out[i] = op(x[i]) for op = UNARY_OPS[op] and every element of out; lo: LeakyRelu's and Step's
   * alpha, ClipByValue's min; hi: ClipByValue's max.
   */
  unary(op: number, x: Float32Array, out: Float32Array, lo: number, hi: number): void;
  /** out = ((0 + inputs[0]) + inputs[1]) + ..., element by element in float32 (the cpu kernel's order). */
  addN(inputs: Float32Array[], out: Float32Array): void;
}

/** Binary ops the addon computes (index = the code it takes); Prelu is x < 0 ? alpha * x : x. */
export const BINARY_OPS = ['Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Minimum', 'SquaredDifference', 'Pow', 'Prelu'] as const;

/** Unary ops the addon computes (index = the code it takes). */
export const UNARY_OPS = [
  'Relu', 'Relu6', 'Elu', 'Exp', 'Log', 'Log1p', 'Sqrt', 'Rsqrt', 'Square', 'Neg', 'Abs', 'Sigmoid', 'Tanh',
  'Softplus', 'Step', 'Erf', 'Reciprocal', 'LeakyRelu', 'ClipByValue',
] as const;

/**
 * Below this many output elements the cpu kernel runs instead: the addon call itself (argument
 * checks, typed-array views) costs about 1-2 us, which a quick check found the cpu kernels to tie
 * with at 64 elements and to beat on fewer (native was ahead about 2x at 256).
 */
export const MIN_NATIVE_SIZE = 64;

/**
 * The broadcast of a and b to outShape as few dims as possible: dims of size 1 drop out, and
 * adjacent dims merge where each side either broadcasts in both or in neither. Each dim gets
 * (size, aStride, bStride), the stride 0 where that side broadcasts; a scalar result is one dim of 1.
 */
export function collapse(aShape: readonly number[], bShape: readonly number[], outShape: readonly number[]): Int32Array {
  const rank = outShape.length;
  const sizes: number[] = [];
  const kinds: number[] = []; // bit 0: a broadcasts, bit 1: b broadcasts
  for (let d = 0; d < rank; ++d) {
    const n = outShape[d];
    if (n === 1) continue;
    const kind = ((aShape[d - rank + aShape.length] ?? 1) === 1 ? 1 : 0) | ((bShape[d - rank + bShape.length] ?? 1) === 1 ? 2 : 0);
    if (kinds.length > 0 && kinds[kinds.length - 1] === kind) {
      sizes[sizes.length - 1] *= n;
    } else {
      sizes.push(n);
      kinds.push(kind);
    }
  }
  if (sizes.length === 0) return Int32Array.of(1, 0, 0);
  const dims = new Int32Array(3 * sizes.length);
  let aStride = 1;
  let bStride = 1;
  for (let d = sizes.length - 1; d >= 0; --d) {
    dims[3 * d] = sizes[d];
    if ((kinds[d] & 1) === 0) {
      dims[3 * d + 1] = aStride;
      aStride *= sizes[d];
    }
    if ((kinds[d] & 2) === 0) {
      dims[3 * d + 2] = bStride;
      bStride *= sizes[d];
    }
  }
  return dims;
}

function binaryKernel(kernelName: (typeof BINARY_OPS)[number]): NativeKernel {
  const code = BINARY_OPS.indexOf(kernelName);
  const [aName, bName] = kernelName === 'Prelu' ? ['x', 'alpha'] : ['a', 'b'];
  const native = ({ inputs, backend }: KernelArgs): TensorInfo | null => {
    const a = inputs[aName] as TensorInfo;
    const b = inputs[bName] as TensorInfo;
    if (!allFloat32(a, b)) return null;
    const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const n = size(shape);
    if (n < MIN_NATIVE_SIZE) return null;
    const nb = backend as Backend;
    const out = uninitialized(nb, n);
    nb.addon.binary(code, f32(nb, a), f32(nb, b), out, collapse(a.shape, b.shape, shape));
    return output(nb, shape, out);
  };
  return { kernelName, kernelFunc: withFallback(kernelName, native) };
}

/** The attrs each unary op takes, as the addon's (lo, hi). */
function unaryParams(kernelName: (typeof UNARY_OPS)[number], attrs: KernelArgs['attrs']): [number, number] {
  const a = (attrs ?? {}) as Record<string, number>;
  if (kernelName === 'ClipByValue') return [a.clipValueMin, a.clipValueMax];
  if (kernelName === 'LeakyRelu' || kernelName === 'Step') return [a.alpha, 0];
  return [0, 0];
}

function unaryKernel(kernelName: (typeof UNARY_OPS)[number]): NativeKernel {
  const code = UNARY_OPS.indexOf(kernelName);
  const native = ({ inputs, backend, attrs }: KernelArgs): TensorInfo | null => {
    const x = inputs.x as TensorInfo;
    const n = size(x.shape);
    if (!allFloat32(x) || n < MIN_NATIVE_SIZE) return null;
    const nb = backend as Backend;
    const out = uninitialized(nb, n);
    const [lo, hi] = unaryParams(kernelName, attrs);
    nb.addon.unary(code, f32(nb, x), out, lo, hi);
    return output(nb, x.shape, out);
  };
  return { kernelName, kernelFunc: withFallback(kernelName, native) };
}

function addN({ inputs, backend }: KernelArgs): TensorInfo | null {
  const tensors = inputs as unknown as TensorInfo[];
  const n = size(tensors[0].shape);
  if (!allFloat32(...tensors) || n < MIN_NATIVE_SIZE) return null;
  const nb = backend as Backend;
  const out = uninitialized(nb, n);
  nb.addon.addN(tensors.map((t) => f32(nb, t)), out);
  return output(nb, tensors[0].shape, out);
}

export const elementwiseKernels: NativeKernel[] = [
  ...BINARY_OPS.map(binaryKernel),
  ...UNARY_OPS.map(unaryKernel),
  { kernelName: 'AddN', kernelFunc: withFallback('AddN', addN) },
];
