/** defineSweep: a sweep's definition checked up front and kept as plain JSON (recorded, re-created, never executed). */
import { relative } from 'node:path';
import { describeValue, invalidArgument, LabbookError } from '../errors';
import type { BaseConfig, Experiment } from '../experiment/define';
import type { Json } from '../registry/types';
import { checkSeed } from '../repro/seed';
import { findProjectRoot } from '../repro/root';
import { closestName } from '../suggest';
import { checkName, createPruner, createSampler, gridSize, type JsonOptions, PRUNER_NAMES, type PrunerName, SAMPLER_NAMES, type SamplerName } from './factory';
import type { Direction } from './sampler';
import { defineSpace, type SearchSpace } from './space';

export interface SweepInput {
  /** The experiment, or its name in the project's experiments/ folder. */
  experiment: Experiment<BaseConfig> | Experiment<any> | string; // eslint-disable-line @typescript-eslint/no-explicit-any
  space: SearchSpace;
  /** metric: judged by its latest value when the trial ends; intermediate (default metric): the per-epoch log pruners read (needed only with a pruner). */
  objective: { metric: string; direction: Direction; intermediate?: string };
  sampler: SamplerName | { name: SamplerName; options?: JsonOptions };
  /** Default 'none'. */
  pruner?: PrunerName | { name: PrunerName; options?: JsonOptions };
  /** At least one bound; optional for a grid, which defaults to its size. timeS: no trial starts after that many seconds. */
  budget?: { trials?: number; timeS?: number };
  /** Every trial trains with this seed (only the params differ), and the sampler and pruner derive from it. */
  seed: number;
  /** Config set on every trial under the sampled params (e.g. {epochs: 20}). */
  set?: { [key: string]: Json };
}

/** The checked definition: plain JSON, recorded as the sweep's config. */
export interface SweepDefinition {
  experiment: string;
  /** The experiment's file relative to the project root, or null (then it is loaded by name). */
  experimentFile: string | null;
  space: SearchSpace;
  /** The space's param names in declaration order: samplers draw in that order, and the registry stores objects with sorted keys. */
  order: string[];
  objective: { metric: string; direction: Direction; intermediate: string };
  sampler: { name: SamplerName; options: JsonOptions };
  pruner: { name: PrunerName; options: JsonOptions };
  budget: { trials: number | null; timeS: number | null };
  seed: number;
  set: { [key: string]: Json };
}

const KEYS = ['experiment', 'space', 'objective', 'sampler', 'pruner', 'budget', 'seed', 'set'];

// The experiment object itself, for runSweep in the process that defined the sweep (the JSON has its name and file).
const experiments = new WeakMap<SweepDefinition, Experiment<BaseConfig>>();

export function definedExperiment(definition: SweepDefinition): Experiment<BaseConfig> | undefined {
  return experiments.get(definition);
}

export function defineSweep(input: SweepInput): SweepDefinition {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalidArgument('defineSweep', 'an object {experiment, space, objective, sampler, budget, seed}', input);
  }
  checkKeys('defineSweep', input as object, KEYS);
  const definition = checkDefinition(input, experimentOf(input.experiment));
  if (typeof input.experiment === 'object') experiments.set(definition, input.experiment as Experiment<BaseConfig>);
  return definition;
}

/** The definition with some fields replaced (the CLI's --trials, --timeout, --seed), checked again; the experiment object stays. */
export function reviseSweep(definition: SweepDefinition, changes: Partial<Pick<SweepDefinition, 'budget' | 'seed'>>): SweepDefinition {
  const revised = checkSweepDefinition({ ...definition, ...changes });
  const experiment = experiments.get(definition);
  if (experiment) experiments.set(revised, experiment);
  return revised;
}

/** Checks a definition read back from the registry (or a worker's queue), as defineSweep checked it. */
export function checkSweepDefinition(value: unknown): SweepDefinition {
  const d = value as SweepDefinition;
  if (d === null || typeof d !== 'object' || typeof d.experiment !== 'string') throw invalidArgument('sweep definition', 'a recorded defineSweep(...) object', value);
  return checkDefinition(d, { name: d.experiment, file: d.experimentFile ?? null });
}

function checkDefinition(input: SweepInput | SweepDefinition, experiment: { name: string; file: string | null }): SweepDefinition {
  const space = defineSpace(inOrder(input.space, (input as SweepDefinition).order));
  const objective = checkObjective(input.objective);
  const sampler = named('sampler', input.sampler, SAMPLER_NAMES);
  const pruner = named('pruner', input.pruner ?? 'none', PRUNER_NAMES);
  const seed = checkSeed(input.seed);
  createSampler(sampler.name, sampler.options);
  createPruner(pruner.name, pruner.options, { metric: objective.intermediate, seed });
  const set = input.set ?? {};
  if (set === null || typeof set !== 'object' || Array.isArray(set)) throw invalidArgument('set', 'an object of config keys to values, e.g. {epochs: 20}', set);
  const budget = checkBudget(input.budget, sampler.name === 'grid' ? gridSize(space, sampler.options) : null);
  return { experiment: experiment.name, experimentFile: experiment.file, space, order: Object.keys(space), objective, sampler, pruner, budget, seed, set: set as { [key: string]: Json } };
}

/** A recorded space back in the order it was declared (a conditional param must follow its parent, and draws follow the order). */
function inOrder(space: SearchSpace, order: string[] | undefined): SearchSpace {
  if (order === undefined || space === null || typeof space !== 'object') return space;
  const names = Object.keys(space);
  if (!Array.isArray(order) || order.length !== names.length || !names.every((n) => order.includes(n))) {
    throw invalidArgument('order', `the space's param names (${names.join(', ')}) in declaration order`, order);
  }
  return Object.fromEntries(order.map((n) => [n, space[n]]));
}

function experimentOf(experiment: unknown): { name: string; file: string | null } {
  if (typeof experiment === 'string' && /^[a-z0-9][a-z0-9-]*$/.test(experiment)) return { name: experiment, file: null };
  const e = experiment as Experiment<BaseConfig> | null;
  if (!e || typeof e !== 'object' || typeof e.name !== 'string' || typeof e.run !== 'function') {
    throw invalidArgument('experiment', 'an experiment (defineExperiment(...)) or the name of one in experiments/, e.g. "cars-regression"', experiment);
  }
  // An experiment imported by a sweep file was not loaded by the experiment loader: find its file, for the code hash and for resuming.
  e.file ??= Object.values(require.cache).find((m) => m && (m.exports === e || m.exports?.default === e))?.filename;
  return { name: e.name, file: e.file ? relative(findProjectRoot(), e.file) : null };
}

function checkObjective(objective: SweepInput['objective']): SweepDefinition['objective'] {
  if (objective === null || typeof objective !== 'object') {
    throw invalidArgument('objective', "an object {metric, direction}, e.g. {metric: 'val_loss', direction: 'minimize'}", objective);
  }
  checkKeys('objective', objective, ['metric', 'direction', 'intermediate']);
  if (typeof objective.metric !== 'string' || objective.metric === '') {
    throw invalidArgument('objective.metric', "the name of a metric the experiment logs, e.g. 'val_loss'", objective.metric);
  }
  const direction = checkName('objective.direction', objective.direction, ['minimize', 'maximize'] as const);
  const intermediate = objective.intermediate ?? objective.metric;
  if (typeof intermediate !== 'string' || intermediate === '') {
    throw invalidArgument('objective.intermediate', "the name of a metric train() logs each epoch, e.g. 'val_loss'", objective.intermediate);
  }
  return { metric: objective.metric, direction, intermediate };
}

function named<T extends string>(field: string, value: unknown, known: readonly T[]): { name: T; options: JsonOptions } {
  if (typeof value === 'string') return { name: checkName(field, value, known), options: {} };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgument(field, `a name (${known.map((k) => `'${k}'`).join(', ')}) or {name, options}`, value);
  }
  checkKeys(field, value, ['name', 'options']);
  const { name, options = {} } = value as { name: unknown; options?: unknown };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalidArgument(`${field}.options`, 'an object of JSON options', options);
  return { name: checkName(`${field}.name`, name, known), options: JSON.parse(JSON.stringify(options)) as JsonOptions };
}

function checkBudget(given: SweepInput['budget'] | SweepDefinition['budget'] | undefined, grid: number | null): SweepDefinition['budget'] {
  // A recorded definition has nulls where defineSweep's input had nothing.
  const budget = given && typeof given === 'object' ? Object.fromEntries(Object.entries(given).filter(([, v]) => v !== null)) as SweepInput['budget'] : given;
  if (budget === undefined && grid !== null) return { trials: grid, timeS: null };
  if (budget === null || typeof budget !== 'object') {
    throw invalidArgument('budget', 'an object with `trials` and/or `timeS`, e.g. {trials: 30}', budget, 'Give the sweep a bound: a number of trials or seconds.');
  }
  checkKeys('budget', budget, ['trials', 'timeS']);
  const { trials, timeS } = budget;
  if (trials !== undefined && (!Number.isSafeInteger(trials) || trials < 1)) throw invalidArgument('budget.trials', 'a positive integer', trials);
  if (timeS !== undefined && (typeof timeS !== 'number' || !(timeS > 0) || !Number.isFinite(timeS))) throw invalidArgument('budget.timeS', 'a positive number of seconds', timeS);
  if (trials === undefined && timeS === undefined) {
    if (grid !== null) return { trials: grid, timeS: null };
    throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`budget\`: expected at least one of \`trials\` or \`timeS\`, received ${describeValue(budget)}. Bound the sweep, e.g. budget: {trials: 30}.`);
  }
  return { trials: trials ?? null, timeS: timeS ?? null };
}

function checkKeys(field: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const guess = closestName(key, known, 3);
    throw invalidArgument(`${field} option`, `one of ${known.map((k) => `\`${k}\``).join(', ')}`, key, guess ? `Did you mean \`${guess}\`?` : 'Remove it.');
  }
}
