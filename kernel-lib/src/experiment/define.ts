/** What an experiment is: a name, typed config defaults and a run function. */
import { invalidArgument } from '../errors';
import { mergeConfig } from './config';
import type { Registry } from '../registry/registry';
import type { Callback } from '../train/callbacks';
import type { Run } from '../registry/run';
import type { Config, Json } from '../registry/types';

/** Every experiment accepts these, so tests and CI can run it small. */
export interface BaseConfig {
  epochs: number;
  /** Training examples used; 0 means all. */
  samples: number;
  [key: string]: Json;
}

export interface ExperimentContext<C extends BaseConfig> {
  run: Run;
  registry: Registry;
  config: C;
  /** The run's root seed; derive every other seed from it. */
  seed: number;
  /** Live progress for train(): true for the terminal bar, a callback (a notebook's live display), or false. */
  progress: boolean | Callback;
}

/** The headline figures an experiment returns (test accuracy, RMSE...); the runner logs them to the run. */
export type ExperimentResult = { [metric: string]: number };

export interface Experiment<C extends BaseConfig = BaseConfig> {
  name: string;
  description: string;
  defaults: C;
  run(ctx: ExperimentContext<C>): Promise<ExperimentResult>;
  /** The file that defined it, for the run's code hash (set by the loader, or pass __filename). */
  file?: string;
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;

export function defineExperiment<C extends BaseConfig>(definition: Experiment<C>): Experiment<C> {
  if (!definition || typeof definition.name !== 'string' || !NAME.test(definition.name)) {
    throw invalidArgument('experiment name', 'lowercase letters, digits and dashes, e.g. "mnist-mlp"', definition?.name);
  }
  const d = definition.defaults as Config;
  if (!d || typeof d.epochs !== 'number' || typeof d.samples !== 'number') {
    throw invalidArgument(`${definition.name}.defaults`, 'a config with numeric `epochs` and `samples` (every experiment accepts them)', d);
  }
  if (typeof definition.run !== 'function') throw invalidArgument(`${definition.name}.run`, 'a function (ctx) => Promise<results>', definition.run);
  return definition;
}

/** The defaults with `overrides` applied: dotted paths and deep-merged objects, checked against the defaults (see config.ts). */
export function resolveConfig<C extends BaseConfig>(experiment: Experiment<C>, overrides: { [key: string]: Json } = {}): C {
  const config = mergeConfig(experiment.name, experiment.defaults, overrides) as C;
  // Every experiment hands these to data loaders and train(); checked here, a bad value is labbook's
  // message before anything loads, not danfo's ParamError (head(-5)) or tfjs's from deep inside.
  if (!Number.isSafeInteger(config.epochs) || config.epochs < 1) {
    throw invalidArgument('epochs', 'a positive integer (passes over the training data)', config.epochs, 'Set e.g. --set epochs=10.');
  }
  if (!Number.isSafeInteger(config.samples) || config.samples < 0) {
    throw invalidArgument('samples', 'a whole number of training examples, 0 or more (0 = all)', config.samples, 'Set e.g. --set samples=1000, or samples=0 for all.');
  }
  return config;
}
