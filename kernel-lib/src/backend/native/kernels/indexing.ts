/**
 * Native kernels: GatherV2, GatherNd, Transpose, Slice, Concat and Tile (they move 32-bit words,
 * so float32 and int32 alike, bit for bit), UnsortedSegmentSum and ScatterNd (float32 sums).
 */
import { backend_util, gather_util, scatter_util, slice_util, util, type DataType, type TensorInfo } from '@tensorflow/tfjs';
import { floats, ints, output, size, withFallback, words, type Backend, type KernelArgs, type NativeKernel, type Words } from './util';

/** The addon functions this group calls (implemented in native/src/indexing.cc). */
export interface IndexingAddon {
  /** out[o, j, :] = x[o, indices[j], :] (x [outer, dim, slice], out [outer, count, slice]); false, out untouched, if an index is outside [0, dim). */
  gather(x: Words, indices: Int32Array, out: Words, outer: number, dim: number, slice: number, count: number): boolean;
  /** out = x with its axes permuted: out's axis k is x's axis perm[k]. */
  transpose(x: Words, out: Words, shape: number[], perm: number[]): void;
  /** out = x[begin[k] : begin[k] + size[k]] along every axis k. */
  slice(x: Words, out: Words, shape: number[], begin: number[], size: number[]): void;
  /** out [rows, sum(cols)] = inputs[i] ([rows, cols[i]] each) side by side. */
  concat(out: Words, rows: number, inputs: Words[], cols: number[]): void;
  /** out = x repeated reps[k] times along each axis k. */
  tile(x: Words, out: Words, shape: number[], reps: number[]): void;
  /** out[s] = the sum, in increasing i and in double, of the rows x[i] (of width values) with ids[i] = s; other ids are dropped. */
  segmentSum(x: Float32Array, ids: Int32Array, out: Float32Array, rows: number, width: number, numSegments: number): void;
  /** out[i] = the slice (of sliceSize) at the flat slice index sum(indices[i, j] * strides[j]); false if one is outside [0, slices). */
  gatherNd(params: Words, indices: Int32Array, out: Words, count: number, rank: number, sliceSize: number, strides: number[], slices: number): boolean;
  /** out (zeros) += updates[i] at the slice indices[i] names, in increasing i, in float32; false if an index is out of range. */
  scatterNd(indices: Int32Array, updates: Float32Array, out: Float32Array, count: number, rank: number, sliceSize: number, strides: number[], slices: number): boolean;
}

function allocate(dtype: DataType, n: number): Words {
  return dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
}

/** x's values with its axes permuted (also what the reductions use to bring scattered axes together). */
export function transposeWords<T extends Words>(backend: Backend, x: T, shape: readonly number[], perm: readonly number[]): T {
  const out = (x instanceof Int32Array ? new Int32Array(x.length) : new Float32Array(x.length)) as T;
  backend.addon.transpose(x, out, [...shape], [...perm]);
  return out;
}

function gatherV2({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { x, indices } = inputs as { x: TensorInfo; indices: TensorInfo };
  const { axis, batchDims } = attrs as { axis: number; batchDims?: number };
  const nb = backend as Backend;
  const xs = words(nb, x);
  const ids = ints(nb, indices);
  if (xs === null || ids === null || (batchDims ?? 0) !== 0) return null;
  const parsedAxis = util.parseAxisParam(axis, x.shape)[0];
  const info = backend_util.segment_util.collectGatherOpShapeInfo(x, indices, parsedAxis, 0);
  const count = size(indices.shape);
  const out = allocate(x.dtype, info.outerSize * count * info.sliceSize);
  // An index out of range: the cpu kernel reports it.
  if (!nb.addon.gather(xs, ids, out, info.outerSize, info.dimSize, info.sliceSize, count)) return null;
  return nb.makeTensorInfo(info.outputShape, x.dtype, out);
}

function transpose({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { x } = inputs as { x: TensorInfo };
  const { perm } = attrs as { perm: number[] };
  const nb = backend as Backend;
  // The identity permutation (tfjs-layers' dot transposes a 2-D kernel by [0, 1] on every call)
  // is the same tensor data, counted as Identity counts it, with no copy.
  if (perm.every((p, k) => p === k)) {
    nb.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  }
  const xs = words(nb, x);
  if (xs === null) return null;
  return nb.makeTensorInfo(perm.map((p) => x.shape[p]), x.dtype, transposeWords(nb, xs, x.shape, perm));
}

/** A strided slice natively; a contiguous one the cpu kernel serves as a view without copying. */
function slice({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { x } = inputs as { x: TensorInfo };
  const { begin, size: sizes } = attrs as { begin: number | number[]; size?: number | number[] };
  const nb = backend as Backend;
  const xs = words(nb, x);
  if (xs === null) return null;
  const [$begin, $size] = slice_util.parseSliceParams(x, begin, sizes);
  slice_util.assertParamsValid(x, $begin, $size);
  if (slice_util.isSliceContinous(x.shape, $begin, $size)) return null;
  const out = allocate(x.dtype, size($size));
  nb.addon.slice(xs, out, [...x.shape], $begin, $size);
  return nb.makeTensorInfo($size, x.dtype, out);
}

/** Concat as the cpu kernel sees it: every input [rows, its columns from the axis on], side by side. */
function concat({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const tensors = inputs as unknown as TensorInfo[];
  const { axis } = attrs as { axis: number };
  const nb = backend as Backend;
  const $axis = util.parseAxisParam(axis, tensors[0].shape)[0];
  const shapes = tensors.map((t) => t.shape);
  backend_util.assertParamsConsistent(shapes, $axis);
  const outShape = backend_util.computeOutShape(shapes, $axis);
  const nonEmpty = tensors.filter((t) => size(t.shape) > 0);
  // Empty results and a single non-empty input are the cpu kernel's no-copy cases.
  if (size(outShape) === 0 || nonEmpty.length < 2) return null;
  const dtype = tensors[0].dtype;
  const values = nonEmpty.map((t) => (t.dtype === dtype ? words(nb, t) : null));
  if (values.some((v) => v === null)) return null;
  const rows = size(outShape.slice(0, $axis));
  const out = allocate(dtype, size(outShape));
  nb.addon.concat(out, rows, values as Words[], nonEmpty.map((t) => size(t.shape.slice($axis))));
  return nb.makeTensorInfo(outShape, dtype, out);
}

function tile({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { x } = inputs as { x: TensorInfo };
  const { reps } = attrs as { reps: number[] };
  const nb = backend as Backend;
  const xs = words(nb, x);
  if (xs === null || reps.length !== x.shape.length) return null;
  const outShape = x.shape.map((d, k) => d * reps[k]);
  const out = allocate(x.dtype, size(outShape));
  nb.addon.tile(xs, out, [...x.shape], [...reps]);
  return nb.makeTensorInfo(outShape, x.dtype, out);
}

/**
 * Rows of x summed into numSegments by id (the gradient of a gather). Only one id per row (ids of
 * rank 1); the cpu kernel masks and sums per segment instead, so a non-finite value there turns
 * that column NaN in every segment, while here it stays in its own segment, as in TensorFlow.
 */
function unsortedSegmentSum({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as { numSegments: number };
  const nb = backend as Backend;
  const xs = floats(nb, x);
  const ids = ints(nb, segmentIds);
  if (xs === null || ids === null || segmentIds.shape.length !== 1 || x.shape.length < 1) return null;
  const rows = x.shape[0];
  if (segmentIds.shape[0] !== rows || !Number.isInteger(numSegments) || numSegments < 0) return null;
  const outShape = [numSegments, ...x.shape.slice(1)];
  const width = size(x.shape.slice(1));
  const out = new Float32Array(numSegments * width);
  nb.addon.segmentSum(xs, ids, out, rows, width, numSegments);
  return output(nb, outShape, out);
}

function gatherNd({ inputs, backend }: KernelArgs): TensorInfo | null {
  const { params, indices } = inputs as { params: TensorInfo; indices: TensorInfo };
  const nb = backend as Backend;
  const ps = words(nb, params);
  const ids = ints(nb, indices);
  if (ps === null || ids === null) return null;
  const [outShape, count, sliceSize, strides] = gather_util.prepareAndValidate(params, indices);
  if (count === 0 || sliceSize === 0) return null;
  const rank = indices.shape[indices.shape.length - 1];
  const out = allocate(params.dtype, count * sliceSize);
  const slices = size(params.shape) / sliceSize;
  // An index out of range: the cpu kernel reports it.
  if (!nb.addon.gatherNd(ps, ids, out, count, rank, sliceSize, strides, slices)) return null;
  return nb.makeTensorInfo(outShape, params.dtype, out);
}

function scatterNd({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { indices, updates } = inputs as { indices: TensorInfo; updates: TensorInfo };
  const { shape } = attrs as { shape: number[] };
  const nb = backend as Backend;
  const ids = ints(nb, indices);
  const values = floats(nb, updates);
  if (values === null || ids === null) return null;
  const { sliceRank, numUpdates, sliceSize, strides, outputSize } = scatter_util.calculateShapes(updates, indices, shape);
  if (outputSize === 0) return null;
  const out = new Float32Array(outputSize);
  if (!nb.addon.scatterNd(ids, values, out, numUpdates, sliceRank, sliceSize, strides, outputSize / sliceSize)) return null;
  return output(nb, [...shape], out);
}

export const indexingKernels: NativeKernel[] = [
  { kernelName: 'GatherV2', kernelFunc: withFallback('GatherV2', gatherV2) },
  { kernelName: 'GatherNd', kernelFunc: withFallback('GatherNd', gatherNd) },
  { kernelName: 'Transpose', kernelFunc: withFallback('Transpose', transpose) },
  { kernelName: 'Slice', kernelFunc: withFallback('Slice', slice) },
  { kernelName: 'Concat', kernelFunc: withFallback('Concat', concat) },
  { kernelName: 'Tile', kernelFunc: withFallback('Tile', tile) },
  { kernelName: 'UnsortedSegmentSum', kernelFunc: withFallback('UnsortedSegmentSum', unsortedSegmentSum) },
  { kernelName: 'ScatterNd', kernelFunc: withFallback('ScatterNd', scatterNd) },
];
