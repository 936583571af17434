/** Reading inputs from and writing outputs to the wasm backend's heap, as its own JS kernels do. */
import type { DataType, TensorInfo } from '@tensorflow/tfjs';

/**
 * The part of tfjs-backend-wasm's BackendWasm that JS kernels use. Declared here rather than
 * imported so that loading these kernels never loads the wasm package itself.
 */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number, values?: Float32Array | Int32Array): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * A Float32Array over a tensor's bytes on the heap (no copy). Any allocation on the backend can
 * grow the heap and detach earlier views, so take views only after the last allocation.
 */
export function f32(backend: WasmBackend, info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`expected a float32 tensor, received ${info.dtype}`);
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** A numeric view (float32 or int32) over a tensor's bytes on the heap. */
export function numeric(backend: WasmBackend, info: TensorInfo): Float32Array | Int32Array {
  if (info.dtype !== 'float32' && info.dtype !== 'int32') {
    throw new Error(`expected a float32 or int32 tensor, received ${info.dtype}`);
  }
  return backend.typedArrayFromHeap(info) as Float32Array | Int32Array;
}

/** The tensor's info under another shape (same bytes); what the wasm Reshape kernel returns. */
export function withShape(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}
