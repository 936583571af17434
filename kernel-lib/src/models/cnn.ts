/** The CNN builder: conv-relu-maxpool(2) blocks, flatten, dense-relu, head. */
import * as tf from '@tensorflow/tfjs';
import { dense, glorotUniform, head, maybeDropout, type BuildContext, type SymbolicTensor } from './common';
import type { CnnConfig } from './config';

export function buildCnn(config: Required<CnnConfig>, ctx: BuildContext): tf.LayersModel {
  const input = tf.input({ shape: config.inputShape, name: 'input' });
  let x: SymbolicTensor = input;
  config.filters.forEach((filters, i) => {
    const name = `conv_${i + 1}`;
    x = tf.layers
      .conv2d({
        name,
        filters,
        kernelSize: config.kernelSize,
        padding: config.padding,
        activation: 'relu',
        kernelInitializer: glorotUniform(ctx, name),
        biasInitializer: 'zeros',
      })
      .apply(x) as SymbolicTensor;
    x = tf.layers.maxPooling2d({ name: `pool_${i + 1}`, poolSize: 2 }).apply(x) as SymbolicTensor;
    x = maybeDropout(ctx, `dropout_${i + 1}`, x);
  });
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as SymbolicTensor;
  x = dense(ctx, 'dense', config.dense, 'relu').apply(x) as SymbolicTensor;
  x = maybeDropout(ctx, 'dense_dropout', x);
  return tf.model({ inputs: input, outputs: head(ctx, config, x), name: 'cnn' });
}
