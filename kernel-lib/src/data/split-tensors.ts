/** Splits feature/label tensors by index lists (from splitIndices) into train/validation/test pairs. */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from './lazy';
import type { IndexSplits } from './split';

/** A type alias, not an interface, so that it passes as a TensorContainer to tf.dispose. */
export type TensorPair = { x: Tensor; y: Tensor };

export type TensorSplits = { train: TensorPair; validation?: TensorPair; test?: TensorPair };

/** One {x, y} per split, rows in the split's order. The caller disposes them. */
export function splitTensors(x: Tensor, y: Tensor, splits: IndexSplits): TensorSplits {
  const take = (rows: number[] | undefined): TensorPair | undefined => {
    if (rows === undefined) return undefined;
    return tf().tidy(() => {
      const idx = tf().tensor1d(rows, 'int32');
      return { x: tf().gather(x, idx), y: tf().gather(y, idx) };
    });
  };
  return { train: take(splits.train)!, validation: take(splits.validation), test: take(splits.test) };
}
