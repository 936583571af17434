/** Native kernels: reductions (Sum, Prod, Mean, Max, Min, ArgMax, ArgMin) and Softmax, float32 only. */
import { backend_util, util, type TensorInfo } from '@tensorflow/tfjs';
import { transposeWords } from './indexing';
import { floats, output, size, uninitialized, withFallback, type Backend, type KernelArgs, type NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/reduce.cc (Softmax too)). */
export interface ReduceAddon {
  /**
   * out[o, c] = REDUCE_OPS[op] over j of x[o, j, c] (x [outer, n, inner], n >= 1), in increasing j;
   * sums and products in double rounded to float32, a NaN wins Max and Min (the cpu kernels' rules).
   */
  reduce(x: Float32Array, out: Float32Array, outer: number, n: number, inner: number, op: number): void;
  /** out[o, c] = the first j with the largest (greater 1) or smallest x[o, j, c]; a NaN counts only at j = 0. */
  argReduce(x: Float32Array, out: Int32Array, outer: number, n: number, inner: number, greater: number): void;
  /** Softmax of each row of n: exp(x - max) in float32, divided by its sum (taken in double, rounded to float32). */
  softmax(x: Float32Array, out: Float32Array, rows: number, n: number): void;
}

/** Reductions the addon computes (index = the code it takes). */
export const REDUCE_OPS = ['Sum', 'Prod', 'Max', 'Min', 'Mean'] as const;

/** x as [outer, n, inner], n the reduced elements in the order the cpu kernel takes them. */
type Layout = { values: Float32Array; outer: number; n: number; inner: number; outShape: number[]; axes: number[] };

/**
 * The reduction of x over `axis` as one middle dim. Axes given as one ascending run (the common
 * case: innermost, or e.g. axis 0 of a bias gradient) are reduced where they lie; any other set
 * is transposed first, innermost in the given order, as the cpu kernel does, so that every
 * output's terms come in the cpu kernel's order. Null (the cpu kernel decides) for dtypes other
 * than float32, repeated axes and empty reductions.
 */
function layout(backend: Backend, x: TensorInfo, axis: number | number[] | null): Layout | null {
  const axes = util.parseAxisParam(axis as number | number[], x.shape);
  if (x.dtype !== 'float32' || new Set(axes).size !== axes.length) return null;
  const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  const n = size(reduceShape);
  let values = floats(backend, x);
  if (n === 0 || values === null) return null;
  let shape = x.shape;
  let first = axes.length === 0 ? shape.length : axes[0];
  if (!axes.every((a, i) => a === axes[0] + i)) {
    const perm = backend_util.getAxesPermutation(axes, shape.length) as number[];
    values = transposeWords(backend, values, shape, perm);
    shape = perm.map((p) => x.shape[p]);
    first = shape.length - axes.length;
  }
  return { values, outer: size(shape.slice(0, first)), n, inner: size(shape.slice(first + axes.length)), outShape, axes };
}

/** A kernel for REDUCE_OPS[op]; Max names its axes reductionIndices, the others axis. */
function reduction(op: (typeof REDUCE_OPS)[number]) {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo | null => {
    const { x } = inputs as { x: TensorInfo };
    const { keepDims } = attrs as { keepDims: boolean };
    const axis = (op === 'Max' ? attrs?.reductionIndices : attrs?.axis) as number | number[];
    const nb = backend as Backend;
    const l = layout(nb, x, axis);
    if (l === null) return null;
    const out = uninitialized(nb, l.outer * l.inner);
    nb.addon.reduce(l.values, out, l.outer, l.n, l.inner, REDUCE_OPS.indexOf(op));
    return output(nb, keepDims ? backend_util.expandShapeToKeepDim(l.outShape, l.axes) : l.outShape, out);
  };
}

/** ArgMax/ArgMin over one axis (the attr is a single axis; anything else goes to the cpu kernel). */
function argReduction(greater: boolean) {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo | null => {
    const { x } = inputs as { x: TensorInfo };
    const { axis } = attrs as { axis: number | number[] };
    const nb = backend as Backend;
    if ([axis].flat().length !== 1) return null;
    const l = layout(nb, x, axis);
    if (l === null) return null;
    const out = new Int32Array(l.outer * l.inner);
    nb.addon.argReduce(l.values, out, l.outer, l.n, l.inner, greater ? 1 : 0);
    return nb.makeTensorInfo(l.outShape, 'int32', out);
  };
}

/** Softmax over the last axis (the only one the cpu kernel supports; it reports any other). */
function softmax({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { logits } = inputs as { logits: TensorInfo };
  const { dim } = attrs as { dim: number };
  const nb = backend as Backend;
  const rank = logits.shape.length;
  const xs = floats(nb, logits);
  if (xs === null || rank === 0 || (dim !== -1 && dim !== rank - 1)) return null;
  const n = logits.shape[rank - 1];
  const out = uninitialized(nb, size(logits.shape));
  nb.addon.softmax(xs, out, n === 0 ? 0 : out.length / n, n);
  return output(nb, [...logits.shape], out);
}

export const reduceKernels: NativeKernel[] = [
  ...REDUCE_OPS.map((op) => ({ kernelName: op, kernelFunc: withFallback(op, reduction(op)) })),
  { kernelName: 'ArgMax', kernelFunc: withFallback('ArgMax', argReduction(true)) },
  { kernelName: 'ArgMin', kernelFunc: withFallback('ArgMin', argReduction(false)) },
  { kernelName: 'Softmax', kernelFunc: withFallback('Softmax', softmax) },
];
