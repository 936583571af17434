/** Sinusoidal positional encoding (Vaswani et al. 2017, section 3.5) as a weightless layer (LabbookPositionalEncoding). */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../../errors';

export interface PositionalEncodingArgs {
  /**
   * Multiply the input by sqrt(dModel) before adding the encoding, as the paper does to the
   * embeddings (section 3.4); default true.
   */
  scale?: boolean;
  name?: string;
}

/**
 * Adds PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)) to a
 * [batch, steps, d] input. It has no weights: nothing to train and nothing in a checkpoint.
 */
export class PositionalEncoding extends tf.layers.Layer {
  static readonly className = 'LabbookPositionalEncoding';
  readonly scale: boolean;
  /** The table is kept as JS numbers, not a tensor: a cached tensor would outlive tf.tidy and leak. */
  private table: { steps: number; d: number; values: Float32Array } | null = null;

  constructor(args: PositionalEncodingArgs = {}) {
    super({ ...args, trainable: false });
    this.scale = args.scale ?? true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x.rank !== 3) {
      throw invalidArgument('inputs', 'a [batch, steps, dModel] tensor for PositionalEncoding', `shape [${x.shape}]`);
    }
    const [, steps, d] = x.shape as [number, number, number];
    return tf.tidy(() => {
      const encoding = tf.tensor3d(this.encoding(steps, d), [1, steps, d]);
      return tf.add(this.scale ? tf.mul(x, Math.sqrt(d)) : x, encoding);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scale: this.scale };
  }

  private encoding(steps: number, d: number): Float32Array {
    if (this.table?.steps === steps && this.table.d === d) return this.table.values;
    const values = new Float32Array(steps * d);
    for (let pos = 0; pos < steps; pos++) {
      for (let i = 0; i < d; i++) {
        const angle = pos / Math.pow(10000, (2 * Math.floor(i / 2)) / d);
        values[pos * d + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
      }
    }
    this.table = { steps, d, values };
    return values;
  }
}
tf.serialization.registerClass(PositionalEncoding);
