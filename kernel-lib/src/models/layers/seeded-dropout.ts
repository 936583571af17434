/** SeededDropout: dropout whose i-th training call draws its mask from deriveSeed(seed, i) (LabbookSeededDropout). */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../../errors';
import { checkSeed, deriveSeed } from '../../repro/seed';

/*
 * Why not tf.layers.dropout({seed}): a fixed seed draws the same mask on every call (the same
 * units dropped at every step of training), and no seed falls back to Math.random. Here each
 * training-time call takes the next seed of a derived sequence: fresh masks every step, and the
 * same sequence on every run that starts from the same seed.
 */
export interface SeededDropoutArgs {
  /** Fraction of units dropped, in [0, 1). */
  rate: number;
  /** The layer's seed (e.g. deriveSeed(runSeed, 'dropout', layerName)); never Math.random. */
  seed: number;
  /** Shape of the mask, broadcast over the input (null takes the input's size), as in tf.dropout. */
  noiseShape?: (number | null)[];
  name?: string;
  trainable?: boolean;
}

export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'LabbookSeededDropout';
  readonly rate: number;
  readonly seed: number;
  readonly noiseShape?: (number | null)[];
  /**
   * Training-time calls made so far; the next one draws its mask from deriveSeed(seed, calls).
   * A fresh layer (built or loaded) starts at 0; set it to continue a sequence when resuming.
   */
  calls = 0;

  constructor(args: SeededDropoutArgs) {
    super(args);
    if (typeof args?.rate !== 'number' || !(args.rate >= 0 && args.rate < 1)) {
      throw invalidArgument('rate', 'a dropout rate from 0 (inclusive) to 1 (exclusive)', args?.rate);
    }
    this.rate = args.rate;
    this.seed = checkSeed(args.seed);
    if (args.noiseShape !== undefined) this.noiseShape = [...args.noiseShape];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    // Identity at inference; tfjs's Layer.apply clones an output that is one of the inputs.
    if (kwargs?.training !== true || this.rate === 0) return x;
    const seed = deriveSeed(this.seed, this.calls);
    this.calls += 1;
    const noiseShape = this.noiseShape?.map((d, i) => d ?? x.shape[i]);
    return tf.dropout(x, this.rate, noiseShape, seed);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), rate: this.rate, seed: this.seed };
    if (this.noiseShape !== undefined) config.noiseShape = this.noiseShape;
    return config;
  }
}
tf.serialization.registerClass(SeededDropout);
