/** Reading and checking metric inputs (plain arrays, typed arrays, tfjs tensors); no metric maths here. */
import type { Tensor } from '@tensorflow/tfjs';
import { LabbookError, withArticle } from '../errors';

/** A vector of numbers as metrics accept it. */
export type NumericArray = readonly number[] | Float32Array | Float64Array | Int32Array | Uint8Array;

/**
 * A vector input: an array, or a tfjs tensor (read once with dataSync at the boundary). Only the
 * type is imported from tfjs, so loading the metrics does not load tfjs.
 */
export type VectorInput = NumericArray | Tensor;

/** An n x k matrix: rows as arrays, a flat row-major array (k from its length), or a 2-D tensor. */
export type MatrixInput = VectorInput | readonly (readonly number[] | Float32Array | Float64Array)[];

/** What a caller passed, in the words error messages use after "received". */
export function describeInput(value: unknown): string {
  if (isTensor(value)) return `${withArticle(value.dtype)} tensor of shape [${value.shape.join(', ')}]`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value) && 'length' in value) {
    return `${withArticle(value.constructor.name)} of ${(value as unknown as ArrayLike<number>).length}`;
  }
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

/**
 * errors.ts's template ("Invalid value for `x`: expected ..., received .... <fix>") with the
 * received part already worded, since invalidArgument would quote a description or dump a typed
 * array as JSON.
 */
export function invalid(name: string, expected: string, received: string, fix?: string): LabbookError {
  const tail = fix ? ` ${fix}` : '';
  return new LabbookError('INVALID_ARGUMENT', `Invalid value for \`${name}\`: expected ${expected}, received ${received}.${tail}`);
}

function isTensor(value: unknown): value is Tensor {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { dataSync?: unknown }).dataSync === 'function' &&
    Array.isArray((value as { shape?: unknown }).shape)
  );
}

const ACCEPTED = 'number[], Float32Array, Int32Array or a tf.Tensor';

/** Every entry a finite number (sklearn's check_array also refuses NaN and infinity). */
function checkFinite(values: ArrayLike<number>, name: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw invalid(`${name}[${i}]`, 'a finite number', describeInput(v), 'Remove or impute missing values first.');
    }
  }
}

/** A non-empty vector of finite numbers; a tensor may be [n] or [n, 1]. */
export function readVector(value: unknown, name: string): ArrayLike<number> {
  let values: ArrayLike<number>;
  if (isTensor(value)) {
    const { shape } = value;
    if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
      throw invalid(name, 'a tensor of shape [n] or [n, 1]', describeInput(value), 'Reshape it to one value per sample.');
    }
    values = value.dataSync() as ArrayLike<number>;
  } else if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    values = value as ArrayLike<number>;
  } else {
    throw invalid(name, `a vector (${ACCEPTED})`, describeInput(value));
  }
  if (values.length === 0) throw invalid(name, 'at least one value', 'an empty array');
  checkFinite(values, name);
  return values;
}

/** Throws unless `b` has exactly as many entries as `a`, one per sample. */
export function checkSameLength(a: ArrayLike<number>, aName: string, b: ArrayLike<number>, bName: string): void {
  if (a.length !== b.length) {
    throw invalid(bName, `${a.length} values, one per entry of \`${aName}\``, `${b.length} values`);
  }
}

/** A positive integer option such as `numClasses` or `k`, or undefined when left out. */
export function readCount(value: unknown, name: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalid(name, `an integer >= ${min}`, describeInput(value));
  }
  return value;
}

/** Throws unless every entry is an integer class label (0 <= label < numClasses when given). */
export function checkLabels(values: ArrayLike<number>, name: string, numClasses?: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || (numClasses !== undefined && v >= numClasses)) {
      const range = numClasses === undefined ? 'a non-negative integer class label' : `an integer class label from 0 to ${numClasses - 1}`;
      const fix = Number.isInteger(v)
        ? 'Encode classes as 0..numClasses-1 (and pass numClasses when it is larger).'
        : 'Pass predicted class indices (argmax of the scores), not scores or probabilities.';
      throw invalid(`${name}[${i}]`, range, String(v), fix);
    }
  }
}

/** Class labels for both vectors: checked integers, and the number of classes (given or max + 1). */
export function readLabelPair(
  yTrue: unknown,
  yPred: unknown,
  numClasses?: unknown,
): { yTrue: ArrayLike<number>; yPred: ArrayLike<number>; numClasses: number } {
  const t = readVector(yTrue, 'yTrue');
  const p = readVector(yPred, 'yPred');
  checkSameLength(t, 'yTrue', p, 'yPred');
  const given = readCount(numClasses, 'numClasses');
  checkLabels(t, 'yTrue', given);
  checkLabels(p, 'yPred', given);
  let k = given ?? 0;
  if (given === undefined) for (let i = 0; i < t.length; i++) k = Math.max(k, t[i] + 1, p[i] + 1);
  return { yTrue: t, yPred: p, numClasses: k };
}

/** A row-major matrix with `rows` rows; columns from the input's shape, or length / rows. */
export function readMatrix(
  value: unknown,
  name: string,
  rows: number,
  numClasses?: number,
): { values: ArrayLike<number>; cols: number } {
  let values: ArrayLike<number>;
  let cols: number | undefined;
  if (isTensor(value)) {
    if (value.shape.length !== 2 && value.shape.length !== 1) {
      throw invalid(name, `a tensor of shape [${rows}, numClasses]`, describeInput(value));
    }
    if (value.shape.length === 2) cols = value.shape[1];
    values = value.dataSync() as ArrayLike<number>;
  } else if (Array.isArray(value) && value.length > 0 && typeof value[0] === 'object') {
    if (value.length !== rows) {
      throw invalid(name, `${rows} rows, one per label`, `${value.length} rows`);
    }
    cols = (value[0] as ArrayLike<number>).length;
    const flat = new Float64Array(rows * cols);
    value.forEach((row: unknown, r: number) => {
      const ok = Array.isArray(row) || (ArrayBuffer.isView(row) && !(row instanceof DataView));
      if (!ok || (row as ArrayLike<number>).length !== cols) {
        throw invalid(`${name}[${r}]`, `a row of ${cols} numbers like row 0`, describeInput(row));
      }
      checkFinite(row as ArrayLike<number>, `${name}[${r}]`);
      for (let c = 0; c < cols!; c++) flat[r * cols! + c] = (row as ArrayLike<number>)[c];
    });
    values = flat;
  } else {
    values = readVector(value, name);
  }
  if (values.length === 0) throw invalid(name, 'at least one value', 'an empty array');
  if (isTensor(value)) checkFinite(values, name);
  if (cols === undefined) cols = numClasses ?? values.length / rows;
  if (!Number.isInteger(cols) || cols < 1 || values.length !== rows * cols) {
    throw invalid(
      name,
      `${rows} x ${numClasses ?? 'k'} scores (one row per label, row-major)`,
      `${values.length} values`,
      'Pass one row of class scores per sample.',
    );
  }
  if (numClasses !== undefined && cols !== numClasses) {
    throw invalid(name, `${numClasses} columns (numClasses)`, `${cols} columns`);
  }
  return { values, cols };
}
