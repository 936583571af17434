/** Token embedding with a scatter-add gradient (LabbookTokenEmbedding), a drop-in for tf.layers.embedding. */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../../errors';
import { checkSeed } from '../../repro/seed';

/*
 * Why not tf.layers.embedding: the gradient of its gather is UnsortedSegmentSum, which the cpu
 * backend runs as one masked pass over the whole gradient per vocabulary entry (vocab x tokens x d)
 * and the wasm backend lacks. One training step of the default Transformer (vocab 1000, batch 8)
 * spent 19 s there. Here the gradient is a ScatterNd that sums the rows of repeated ids: one pass,
 * on both backends. Forward values are the same gather, initialized as Keras does
 * (uniform in [-0.05, 0.05]), so parameter counts and checkpoints look the same.
 */
export interface TokenEmbeddingArgs {
  vocabSize: number;
  outputDim: number;
  /** Seed of the uniform initializer; required (no seed would fall back to Math.random). */
  seed: number;
  name?: string;
  trainable?: boolean;
}

export class TokenEmbedding extends tf.layers.Layer {
  static readonly className = 'LabbookTokenEmbedding';
  readonly vocabSize: number;
  readonly outputDim: number;
  readonly seed: number;
  private embeddings: tf.LayerVariable | null = null;

  constructor(args: TokenEmbeddingArgs) {
    super(args);
    for (const key of ['vocabSize', 'outputDim'] as const) {
      const v = args?.[key];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw invalidArgument(key, 'a positive integer', v);
    }
    this.vocabSize = args.vocabSize;
    this.outputDim = args.outputDim;
    this.seed = checkSeed(args.seed);
  }

  override build(): void {
    const init = tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: this.seed });
    this.embeddings = this.addWeight('embeddings', [this.vocabSize, this.outputDim], 'float32', init, undefined, true);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...s, this.outputDim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => lookup(this.embeddings!.read(), x.dtype === 'int32' ? x : tf.cast(x, 'int32')));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), vocabSize: this.vocabSize, outputDim: this.outputDim, seed: this.seed };
  }
}
tf.serialization.registerClass(TokenEmbedding);

/** table[ids], whose gradient with respect to the table adds each output row's gradient into its id's row. */
function lookup(table: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  const [vocab, d] = table.shape as [number, number];
  const gathered = tf.customGrad((t, save) => {
    // ids are not a differentiable input, but the gradient needs them after the forward tidy ends.
    (save as tf.GradSaveFunc)([ids]);
    return {
      value: tf.gather(t as tf.Tensor, ids),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.scatterND(tf.reshape(saved[0], [-1, 1]), tf.reshape(dy, [-1, d]), [vocab, d]),
    };
  });
  return gathered(table);
}
