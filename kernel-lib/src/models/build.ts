/** buildModel: a seeded tfjs LayersModel from a typed config (validated here, at the boundary). */
import type * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors';
import { checkSeed } from '../repro/seed';
import { buildCnn } from './cnn';
import type { BuildContext } from './common';
import type { ModelConfig, ResolvedModelConfig } from './config';
import { buildMlp } from './mlp';
import { buildRnn } from './rnn';
import { buildTransformer } from './transformer';
import { resolveModelConfig } from './validate';

/** Each built model's resolved config, so logModel can store the architecture as config, not tfjs names. */
const BUILT = new WeakMap<tf.LayersModel, ModelConfig>();

/** The resolved config a model was built from by buildModel, or undefined for any other model. */
export function builtConfig(model: tf.LayersModel): ModelConfig | undefined {
  return BUILT.get(model);
}

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
  const model = build(resolved, ctx);
  BUILT.set(model, resolved);
  return model;
}

function build(resolved: ResolvedModelConfig, ctx: BuildContext): tf.LayersModel {
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
