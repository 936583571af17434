/** The MLP builder: optional flatten, seeded dense layers, dropout, head. */
import * as tf from '@tensorflow/tfjs';
import { dense, head, maybeDropout, type BuildContext, type SymbolicTensor } from './common';
import type { MlpConfig } from './config';

export function buildMlp(config: Required<MlpConfig>, ctx: BuildContext): tf.LayersModel {
  const input = tf.input({ shape: config.inputShape, name: 'input' });
  let x: SymbolicTensor = input;
  if (config.inputShape.length > 1) x = tf.layers.flatten({ name: 'flatten' }).apply(x) as SymbolicTensor;
  config.hidden.forEach((units, i) => {
    x = dense(ctx, `dense_${i + 1}`, units, config.activation).apply(x) as SymbolicTensor;
    x = maybeDropout(ctx, `dropout_${i + 1}`, x);
  });
  return tf.model({ inputs: input, outputs: head(ctx, config, x), name: 'mlp' });
}
