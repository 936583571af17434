/** The LSTM/GRU builder: stacked (optionally bidirectional) recurrent layers, the last returning its final state. */
import * as tf from '@tensorflow/tfjs';
import { glorotUniform, head, initSeed, maybeDropout, type BuildContext, type SymbolicTensor } from './common';
import type { RnnConfig } from './config';
import { LSTM, ReverseSequence, SeededOrthogonal } from './layers';

/*
 * Settings follow today's Keras rather than tfjs's Keras-1 defaults: sigmoid (not hard sigmoid)
 * gates, a Glorot-uniform kernel (tfjs's GRU defaults to Glorot-normal), an orthogonal recurrent
 * kernel, and a forget-gate bias of 1 for the LSTM. tfjs's GRU has no reset_after, so it is the
 * original Cho et al. GRU with one bias per gate: 3 * (u * (in + u) + u) parameters per layer
 * (Keras's reset_after=True default has 3 * (u * (in + u) + 2u)).
 *
 * Bidirectional layers are two layers and a concatenation instead of tf.layers.bidirectional,
 * which clones the forward layer's config for the backward one: both directions would get the
 * same initializer seeds and so start with identical weights.
 */
export function buildRnn(config: Required<RnnConfig>, ctx: BuildContext): tf.LayersModel {
  const input = tf.input({ shape: config.inputShape, name: 'input' });
  let x: SymbolicTensor = input;
  config.units.forEach((units, i) => {
    const name = `${config.kind}_${i + 1}`;
    const returnSequences = i < config.units.length - 1;
    if (config.bidirectional) {
      const forward = recurrent(config.kind, ctx, `${name}_forward`, units, returnSequences, false).apply(x);
      let backward = recurrent(config.kind, ctx, `${name}_backward`, units, returnSequences, true).apply(x);
      if (returnSequences) backward = new ReverseSequence({ name: `${name}_backward_reverse` }).apply(backward);
      x = tf.layers.concatenate({ name, axis: -1 }).apply([forward, backward] as SymbolicTensor[]) as SymbolicTensor;
    } else {
      x = recurrent(config.kind, ctx, name, units, returnSequences, false).apply(x) as SymbolicTensor;
    }
    x = maybeDropout(ctx, `dropout_${i + 1}`, x);
  });
  return tf.model({ inputs: input, outputs: head(ctx, config, x), name: config.kind });
}

function recurrent(
  kind: 'lstm' | 'gru',
  ctx: BuildContext,
  name: string,
  units: number,
  returnSequences: boolean,
  goBackwards: boolean,
): tf.layers.Layer {
  const args = {
    name,
    units,
    returnSequences,
    goBackwards,
    activation: 'tanh' as const,
    recurrentActivation: 'sigmoid' as const,
    kernelInitializer: glorotUniform(ctx, name),
    recurrentInitializer: new SeededOrthogonal({ seed: initSeed(ctx, name, 'recurrent_kernel') }),
    biasInitializer: 'zeros' as const,
  };
  // labbook's LSTM: tfjs's layer, with whole-sequence kernels where the backend has them.
  return kind === 'lstm' ? new LSTM({ ...args, unitForgetBias: true }) : tf.layers.gru(args);
}
