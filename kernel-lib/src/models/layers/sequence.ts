/** Weightless sequence helpers: the padding mask from token ids, masked pooling, time reversal. */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../../errors';

/*
 * tfjs-layers' own masking (Embedding maskZero, computeMask) reaches only some layers and is
 * dropped by others, so the zoo passes the mask explicitly: PaddingMask turns the ids into a
 * [batch, steps] float tensor (1 = token, 0 = padding) that attention and pooling take as a
 * second input. That keeps the mask visible in the graph and in the saved topology.
 */

export interface WeightlessLayerArgs {
  name?: string;
}

/** 1 where the token id is not 0 (padding), else 0, as float32 [batch, steps]. */
export class PaddingMask extends tf.layers.Layer {
  static readonly className = 'LabbookPaddingMask';

  constructor(args: WeightlessLayerArgs = {}) {
    super({ ...args, trainable: false });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const ids = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.cast(tf.notEqual(ids, 0), 'float32'));
  }
}
tf.serialization.registerClass(PaddingMask);

export type SequencePoolingMode = 'mean' | 'first';

export interface SequencePoolingArgs extends WeightlessLayerArgs {
  /** 'mean' over the positions the mask marks 1; 'first' takes position 0. */
  mode: SequencePoolingMode;
}

/** Pools [x: [batch, steps, d], mask: [batch, steps]] to [batch, d]. */
export class SequencePooling extends tf.layers.Layer {
  static readonly className = 'LabbookSequencePooling';
  readonly mode: SequencePoolingMode;

  constructor(args: SequencePoolingArgs) {
    super({ ...args, trainable: false });
    if (args?.mode !== 'mean' && args?.mode !== 'first') {
      throw invalidArgument('mode', '"mean" or "first"', args?.mode);
    }
    this.mode = args.mode;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const x = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [x[0], x[2]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) {
      throw invalidArgument('inputs', '[x, mask] for SequencePooling', inputs);
    }
    const [x, mask] = inputs;
    return tf.tidy(() => {
      const [batch, , d] = x.shape;
      if (this.mode === 'first') return tf.reshape(tf.slice(x, [0, 0, 0], [batch, 1, d]), [batch, d]);
      const summed = tf.sum(tf.mul(x, tf.expandDims(mask, 2)), 1);
      // An all-padding row pools to zeros instead of 0/0.
      const count = tf.maximum(tf.sum(mask, 1, true), 1);
      return tf.div(summed, count);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}
tf.serialization.registerClass(SequencePooling);

/**
 * Reverses axis 1 (time). A go-backwards RNN returns its sequence in processing order (last step
 * first); reversing it lines each step up with the forward layer's, as Keras's Bidirectional does.
 */
export class ReverseSequence extends tf.layers.Layer {
  static readonly className = 'LabbookReverseSequence';

  constructor(args: WeightlessLayerArgs = {}) {
    super({ ...args, trainable: false });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.reverse(x, 1);
  }
}
tf.serialization.registerClass(ReverseSequence);
