/** toTensors: a frame's feature columns and target column as TensorFlow.js tensors for training. */
import type { DataFrame } from 'danfojs-node';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import { invalidArgument } from '../errors';
import { checkFrame, frameRows, missingColumn } from './frame';
import { tf } from './lazy';

export interface TensorOptions {
  features: string[];
  target: string;
  /** 'class': y holds int32 class codes 0..k-1; 'regression': y holds float32 values. */
  targetType: 'class' | 'regression';
}

/** A type alias (not an interface) so that it passes as a TensorContainer to tf.dispose. */
export type Tensors = {
  /** [rows, features.length] float32, columns in the order of `features`. */
  x: Tensor2D;
  y: Tensor1D;
};

/**
 * x and y for a model. Features must be numeric or boolean (1/0) with no missing values: a NaN
 * in a training batch poisons every weight it touches, so it is refused here with its row.
 * Class targets must already be integer codes (LabelEncoder makes them). The caller owns (and
 * disposes) both tensors.
 */
export function toTensors(frame: DataFrame, options: TensorOptions): Tensors {
  checkFrame(frame);
  if (!options || typeof options !== 'object') throw invalidArgument('options', 'an object with features, target and targetType', options);
  const { features, target, targetType } = options;
  if (!Array.isArray(features) || features.length === 0 || features.some((f) => typeof f !== 'string')) {
    throw invalidArgument('features', 'a non-empty array of column names', features);
  }
  if (targetType !== 'class' && targetType !== 'regression') throw invalidArgument('targetType', "'class' or 'regression'", targetType);
  const targetColumn = frame.columns.indexOf(target);
  if (targetColumn === -1) throw missingColumn(target, frame.columns, 'target');
  const x = featureMatrix(frame, features);
  const rows = frameRows(frame);
  const n = rows.length;
  const y = targetType === 'class' ? new Int32Array(n) : new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const v = rows[r][targetColumn];
    const ok = targetType === 'class' ? typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 2147483647 : typeof v === 'number' && !Number.isNaN(v);
    if (!ok) {
      throw invalidArgument(
        target,
        targetType === 'class' ? 'class codes (integers from 0)' : 'numbers with none missing',
        v,
        targetType === 'class' ? `At row ${r}. Encode the classes with LabelEncoder first.` : `At row ${r}. Drop or fill missing targets.`,
      );
    }
    y[r] = v as number;
  }
  const t = tf();
  return { x: t.tensor2d(x, [n, features.length], 'float32'), y: t.tensor1d(y, targetType === 'class' ? 'int32' : 'float32') };
}

/** The feature columns as one row-major float32 array (booleans as 1/0), refusing missing values. */
export function featureMatrix(frame: DataFrame, features: readonly string[]): Float32Array {
  const featureColumns = features.map((name) => {
    const c = frame.columns.indexOf(name);
    if (c === -1) throw missingColumn(name, frame.columns, 'features');
    return c;
  });
  const rows = frameRows(frame);
  const width = features.length;
  const x = new Float32Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let f = 0; f < width; f++) {
      const v = row[featureColumns[f]];
      const number = typeof v === 'boolean' ? (v ? 1 : 0) : v;
      if (typeof number !== 'number' || Number.isNaN(number)) {
        throw invalidArgument(
          `features.${features[f]}`,
          'numeric or boolean values with none missing',
          v,
          `At row ${r} (index ${String(frame.index[r])}). Drop or fill missing values, and encode categories (OneHotEncoder) first.`,
        );
      }
      x[r * width + f] = number;
    }
  }
  return x;
}
