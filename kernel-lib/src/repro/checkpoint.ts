/** Canonical checkpoint bytes for a tfjs model's weights: one byte string per set of values (not tfjs's save format). */
import type { DataType, LayersModel, Tensor } from '@tensorflow/tfjs';
import { describeValue, invalidArgument, LabbookError } from '../errors';

/*
 * Why weight names are not in the bytes: tfjs names layers from a process-wide counter, so the
 * same architecture is `dense_Dense1` in one notebook and `dense_Dense3` after a cell re-runs.
 * Names in the bytes would make equal weights hash differently and break bit-for-bit
 * reproduction checks. Position in `model.weights` (fixed by the architecture) identifies a
 * weight instead; shape and dtype go in the header so a mismatched architecture is still caught.
 *
 * Layout:
 *   "LABBOOK-CKPT\n"                      magic, 13 ASCII bytes
 *   u32 little-endian                     byte length of the header
 *   header                                compact UTF-8 JSON {"format":1,"tensors":[{"shape","dtype"}]}
 *   tensor data                           each tensor's raw little-endian bytes, in header order
 */

const MAGIC = 'LABBOOK-CKPT\n';
const MAGIC_BYTES = new TextEncoder().encode(MAGIC);
const FORMAT = 1;
/** A header past this is not one we wrote; refusing it keeps garbage from allocating gigabytes. */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

export type CheckpointDtype = 'float32' | 'int32' | 'bool';
export type CheckpointData = Float32Array | Int32Array | Uint8Array;

export interface CheckpointTensor {
  shape: number[];
  dtype: CheckpointDtype;
  data: CheckpointData;
}

export interface ParsedCheckpoint {
  format: number;
  tensors: CheckpointTensor[];
}

const BYTES_PER_ELEMENT: Record<CheckpointDtype, number> = { float32: 4, int32: 4, bool: 1 };

/** Canonical bytes of all of `model.weights`, in order; equal values give equal bytes. */
export async function serializeWeights(model: LayersModel): Promise<Uint8Array> {
  assertModel(model);
  // getWeights() hands back the variables themselves, not copies: they must not be disposed.
  return serializeTensors(model.getWeights());
}

/** Canonical bytes of weights held as tensors (e.g. a copy of the best epoch's weights). */
export function serializeTensors(tensors: readonly Tensor[]): Uint8Array {
  return encodeCheckpoint(
    tensors.map((t, i) => ({ shape: [...t.shape], dtype: checkpointDtype(t.dtype, i), data: t.dataSync() as CheckpointData })),
  );
}

/** Writes tensors in the checkpoint layout; for tools that hold values rather than a model. */
export function encodeCheckpoint(tensors: readonly CheckpointTensor[]): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({ format: FORMAT, tensors: tensors.map((t) => ({ shape: t.shape, dtype: t.dtype })) }),
  );
  const dataBytes = tensors.reduce((sum, t, i) => sum + expectedBytes(t, i), 0);
  const out = new Uint8Array(MAGIC_BYTES.length + 4 + header.length + dataBytes);
  out.set(MAGIC_BYTES, 0);
  new DataView(out.buffer).setUint32(MAGIC_BYTES.length, header.length, true);
  out.set(header, MAGIC_BYTES.length + 4);
  let offset = MAGIC_BYTES.length + 4 + header.length;
  for (const t of tensors) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(bytes, offset);
    if (!LITTLE_ENDIAN) swapInPlace(out.subarray(offset, offset + bytes.length), BYTES_PER_ELEMENT[t.dtype]);
    offset += bytes.length;
  }
  return out;
}

/** Reads checkpoint bytes back into typed arrays, validating the whole layout first. */
export function parseCheckpoint(bytes: Uint8Array): ParsedCheckpoint {
  if (!(bytes instanceof Uint8Array)) {
    throw invalidArgument('bytes', 'a Uint8Array holding a labbook checkpoint', bytes);
  }
  const prefix = MAGIC_BYTES.length + 4;
  if (bytes.length < prefix || !MAGIC_BYTES.every((b, i) => bytes[i] === b)) {
    const head = new TextDecoder().decode(bytes.subarray(0, MAGIC_BYTES.length));
    throw formatError(
      `bytes starting ${JSON.stringify(MAGIC)}`,
      `${bytes.length} bytes starting ${JSON.stringify(head)}`,
      'Pass bytes written by serializeWeights; tfjs model.save() output is not a labbook checkpoint.',
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC_BYTES.length, true);
  if (headerLength > MAX_HEADER_BYTES || prefix + headerLength > bytes.length) {
    throw formatError(
      `a header length within the ${bytes.length - prefix} bytes after the magic`,
      headerLength,
      'The checkpoint is truncated or corrupt; read it again from the store.',
    );
  }
  const header = decodeHeader(bytes.subarray(prefix, prefix + headerLength));
  let offset = prefix + headerLength;
  const tensors: CheckpointTensor[] = [];
  for (let i = 0; i < header.length; i++) {
    const { shape, dtype } = header[i];
    const length = shape.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[dtype];
    if (offset + length > bytes.length) {
      throw formatError(
        `${length} data bytes for weight ${i} (shape ${JSON.stringify(shape)} ${dtype})`,
        `${bytes.length - offset} bytes left`,
        'The checkpoint is truncated; read it again from the store.',
      );
    }
    // A copy into a fresh buffer: typed arrays need aligned offsets, and Buffer#slice would not copy.
    const copy = new Uint8Array(length);
    copy.set(bytes.subarray(offset, offset + length));
    if (!LITTLE_ENDIAN) swapInPlace(copy, BYTES_PER_ELEMENT[dtype]);
    tensors.push({ shape, dtype, data: typedArray(dtype, copy.buffer) });
    offset += length;
  }
  if (offset !== bytes.length) {
    throw formatError(
      `${offset} bytes in all`,
      `${bytes.length} bytes (${bytes.length - offset} trailing)`,
      'The checkpoint is corrupt or two checkpoints were concatenated.',
    );
  }
  return { format: FORMAT, tensors };
}

/** Loads checkpoint bytes into `model`, after checking every weight's count, shape and dtype. */
export function restoreWeights(model: LayersModel, bytes: Uint8Array): void {
  assertModel(model);
  const { tensors } = parseCheckpoint(bytes);
  const targets = model.weights;
  if (tensors.length !== targets.length) {
    throw formatError(
      `${targets.length} weights for model ${JSON.stringify(model.name)}`,
      `a checkpoint of ${tensors.length} weights`,
      'Build the model with the same architecture (config) as the run that wrote the checkpoint.',
    );
  }
  for (let i = 0; i < targets.length; i++) {
    const want = { shape: targets[i].shape as number[], dtype: targets[i].dtype };
    const got = tensors[i];
    if (!sameShape(want.shape, got.shape) || want.dtype !== got.dtype) {
      throw formatError(
        `weight ${i} (${targets[i].originalName}) with shape ${JSON.stringify(want.shape)} ${want.dtype}`,
        `shape ${JSON.stringify(got.shape)} ${got.dtype}`,
        'Build the model with the same architecture (config) as the run that wrote the checkpoint.',
      );
    }
  }
  // Loaded lazily: whoever holds a LayersModel has loaded tfjs already, so this is a cache hit, and
  // importing this module (e.g. from the registry) must not pull TensorFlow.js in.
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  const values: Tensor[] = tensors.map((t) => tf.tensor(t.data, t.shape, t.dtype));
  try {
    model.setWeights(values);
  } finally {
    // The variables took their own reference to the data; these handles are no longer needed.
    tf.dispose(values);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function swapInPlace(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

function typedArray(dtype: CheckpointDtype, buffer: ArrayBuffer): CheckpointData {
  if (dtype === 'float32') return new Float32Array(buffer);
  if (dtype === 'int32') return new Int32Array(buffer);
  return new Uint8Array(buffer);
}

function decodeHeader(bytes: Uint8Array): { shape: number[]; dtype: CheckpointDtype }[] {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw formatError('a JSON header', `${bytes.length} bytes that are not JSON`, 'The checkpoint is corrupt.');
  }
  const h = header as { format?: unknown; tensors?: unknown } | null;
  if (h === null || typeof h !== 'object' || h.format !== FORMAT) {
    throw formatError(
      `checkpoint format ${FORMAT}`,
      `format ${describeValue(h?.format)}`,
      'The checkpoint was written by another labbook version; restore it with that version.',
    );
  }
  if (!Array.isArray(h.tensors)) {
    throw formatError('a header with a `tensors` array', describeValue(h.tensors), 'The checkpoint is corrupt.');
  }
  return h.tensors.map((entry: unknown, i: number) => {
    const e = entry as { shape?: unknown; dtype?: unknown } | null;
    const shape = e?.shape;
    const dtype = e?.dtype;
    const shapeOk = Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 0);
    if (!shapeOk || !(typeof dtype === 'string' && dtype in BYTES_PER_ELEMENT)) {
      throw formatError(
        `weight ${i} with a shape of non-negative integers and a dtype of float32, int32 or bool`,
        describeValue(entry),
        'The checkpoint is corrupt.',
      );
    }
    return { shape: shape as number[], dtype: dtype as CheckpointDtype };
  });
}

function expectedBytes(t: CheckpointTensor, i: number): number {
  const dtype = checkpointDtype(t.dtype, i);
  const want = t.shape.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[dtype];
  if (t.data.byteLength !== want) {
    throw invalidArgument(
      `tensors[${i}].data`,
      `${want} bytes for shape ${JSON.stringify(t.shape)} ${dtype}`,
      `${t.data.byteLength} bytes`,
    );
  }
  return want;
}

function checkpointDtype(dtype: DataType | string, index: number): CheckpointDtype {
  if (dtype in BYTES_PER_ELEMENT) return dtype as CheckpointDtype;
  throw formatError(
    `weight ${index} with dtype float32, int32 or bool`,
    `dtype ${describeValue(dtype)}`,
    'Cast the weight to a numeric dtype before checkpointing.',
  );
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function assertModel(model: unknown): asserts model is LayersModel {
  const m = model as Partial<LayersModel> | null;
  if (m === null || typeof m !== 'object' || typeof m.getWeights !== 'function' || !Array.isArray(m.weights)) {
    throw invalidArgument('model', 'a tfjs LayersModel (tf.sequential() or tf.model())', model);
  }
}

/** Same template as every labbook error, under the code tools catch for unreadable checkpoints. */
function formatError(expected: string, received: unknown, fix: string): LabbookError {
  const text = typeof received === 'string' ? received : describeValue(received);
  return new LabbookError(
    'CHECKPOINT_FORMAT',
    `Invalid value for \`checkpoint\`: expected ${expected}, received ${text}. ${fix}`,
  );
}
