/** A seeded orthogonal initializer for recurrent kernels, computed in plain JS (serializable as LabbookOrthogonal). */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../../errors';
import { createRng } from '../../repro/rng';
import { checkSeed } from '../../repro/seed';

/*
 * Why not tf.initializers.orthogonal({seed}): it is seeded, but its QR runs as hundreds of small
 * tfjs ops, about 2 s for one 64x256 LSTM recurrent kernel on the cpu backend, and it prints a
 * "Slowness may result" warning for every matrix past 2000 elements. Modified Gram-Schmidt in
 * float64 on the same Gaussian construction (the Q of a standard normal matrix, signs fixed so R
 * has a positive diagonal, as Keras does) takes well under a millisecond.
 *
 * tfjs-layers does not export its Initializer base class, and an initializer handed to a layer
 * must be an instance of it (anything else is taken for a config dict), so the class is reached
 * through a built-in initializer's prototype.
 */
type TfInitializer = ReturnType<typeof tf.initializers.glorotUniform>;
const InitializerBase = Object.getPrototypeOf(tf.initializers.zeros().constructor) as (abstract new () => TfInitializer) &
  Pick<typeof tf.serialization.Serializable, 'fromConfig'>;

export interface SeededOrthogonalArgs {
  /** Required: an initializer without a seed would fall back to Math.random. */
  seed: number;
  /** Multiplies the orthogonal matrix; default 1. */
  gain?: number;
}

export class SeededOrthogonal extends InitializerBase {
  static readonly className = 'LabbookOrthogonal';
  readonly seed: number;
  readonly gain: number;

  constructor(args: SeededOrthogonalArgs) {
    super();
    this.seed = checkSeed(args?.seed);
    this.gain = args.gain ?? 1;
    if (typeof this.gain !== 'number' || !Number.isFinite(this.gain)) {
      throw invalidArgument('gain', 'a finite number', this.gain);
    }
  }

  override apply(shape: (number | null)[], dtype?: tf.DataType): tf.Tensor {
    if (shape.length < 2 || shape.some((d) => d === null || d < 1)) {
      throw invalidArgument('shape', 'a fully known shape of rank 2 or more for an orthogonal initializer', shape);
    }
    const dims = shape as number[];
    const rows = dims.slice(0, -1).reduce((a, b) => a * b, 1);
    const cols = dims[dims.length - 1];
    const q = orthonormalColumns(Math.max(rows, cols), Math.min(rows, cols), this.seed);
    const out = new Float32Array(rows * cols);
    const n = Math.min(rows, cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        // q is max x min with orthonormal columns; a wide matrix takes its transpose.
        out[r * cols + c] = this.gain * (rows >= cols ? q[r * n + c] : q[c * n + r]);
      }
    }
    return tf.tensor(out, dims, dtype === 'int32' ? 'int32' : 'float32');
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { seed: this.seed, gain: this.gain };
  }
}
tf.serialization.registerClass(SeededOrthogonal);

/** An m x n (m >= n) row-major matrix whose columns are the Gram-Schmidt orthonormalization of N(0, 1) draws. */
function orthonormalColumns(m: number, n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const a = new Float64Array(m * n);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  for (let j = 0; j < n; j++) {
    // Twice ("twice is enough", Kahan/Parlett) keeps the columns orthogonal to float64 precision.
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += a[i * n + k] * a[i * n + j];
        for (let i = 0; i < m; i++) a[i * n + j] -= dot * a[i * n + k];
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += a[i * n + j] * a[i * n + j];
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) a[i * n + j] /= norm;
  }
  return a;
}
