/** Layer normalization over the last axis (LabbookLayerNormalization), a drop-in for tf.layers.layerNormalization. */
import * as tf from '@tensorflow/tfjs';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL, runningBackendHas } from '../../backend/native';
import { invalidArgument } from '../../errors';

/*
 * Why not tf.layers.layerNormalization: it tiles its mean, variance, scale and offset to the
 * input's full shape, and tf.tile's gradient is a loop of one slice and one add per repetition:
 * for a [32, 96, 32] activation that is 3,072 slices per tensor per step, which made one
 * Transformer step take 2 s on wasm. Broadcasting gives the same values with plain kernels.
 * Weights (gamma ones, beta zeros) and their order match the tfjs layer, so checkpoints agree.
 */
export interface LayerNormArgs {
  epsilon?: number;
  name?: string;
  trainable?: boolean;
}

export class LayerNorm extends tf.layers.Layer {
  static readonly className = 'LabbookLayerNormalization';
  readonly epsilon: number;
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;

  constructor(args: LayerNormArgs = {}) {
    super(args);
    const epsilon = args.epsilon ?? 1e-3;
    if (!(epsilon > 0)) throw invalidArgument('epsilon', 'a positive number', args.epsilon);
    this.epsilon = epsilon;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const dim = shape[shape.length - 1];
    if (dim === null) throw invalidArgument('input shape', 'a known last dimension', shape);
    this.gamma = this.addWeight('gamma', [dim], 'float32', tf.initializers.ones(), undefined, true);
    this.beta = this.addWeight('beta', [dim], 'float32', tf.initializers.zeros(), undefined, true);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (runningBackendHas(LAYER_NORM_KERNEL) && x.dtype === 'float32') return fusedLayerNorm(x, this.gamma!.read(), this.beta!.read(), this.epsilon);
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(normalized, this.gamma!.read()), this.beta!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(LayerNorm);

/** The layer's forward pass and its gradient, each one native kernel (see native/src/layer-norm.cc). */
function fusedLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const attrs = { epsilon } as unknown as tf.NamedAttrMap;
  const norm = tf.customGrad((...args: unknown[]) => {
    const [xs, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const [y, mean, rstd] = tf.engine().runKernel(LAYER_NORM_KERNEL, { x: xs, gamma: g, beta: b }, attrs) as tf.Tensor[];
    save([xs, g, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, sg, sm, sr] = saved;
        return tf.engine().runKernel(LAYER_NORM_GRAD_KERNEL, { dy: dy as tf.Tensor, x: sx, gamma: sg, mean: sm, rstd: sr }) as tf.Tensor[];
      },
    };
  });
  return norm(x, gamma, beta);
}
