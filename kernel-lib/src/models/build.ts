/** buildModel: a seeded tfjs LayersModel from a typed config (validated here, at the boundary). */
import type * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors';
import { checkSeed } from '../repro/seed';
import { buildCnn } from './cnn';
import type { ModelConfig } from './config';
import { buildMlp } from './mlp';
import { buildRnn } from './rnn';
import { buildTransformer } from './transformer';
import { resolveModelConfig } from './validate';

export interface BuildOptions {
  /** The run's seed: every initializer and dropout layer derives its own from it. Required. */
  seed: number;
}

/**
 * Builds the model a config describes, with defaults filled in (see modelDefaults). The same
 * config and seed give bit-identical weights in any process; building never calls Math.random.
 * Loading a saved zoo model (tf.loadLayersModel) needs this module imported: it registers the
 * custom layers.
 */
export function buildModel(config: ModelConfig, options: BuildOptions): tf.LayersModel {
  if (options === null || typeof options !== 'object') {
    throw invalidArgument('options', 'an object with a seed, e.g. {seed: run.seed}', options);
  }
  const seed = checkSeed(options.seed);
  const resolved = resolveModelConfig(config);
  const ctx = { seed, dropout: resolved.dropout };
  switch (resolved.kind) {
    case 'mlp':
      return buildMlp(resolved, ctx);
    case 'cnn':
      return buildCnn(resolved, ctx);
    case 'lstm':
    case 'gru':
      return buildRnn(resolved, ctx);
    case 'transformer':
      return buildTransformer(resolved, ctx);
  }
}
