/** Samplers and pruners re-created from a sweep definition's plain-JSON names and options. */
import { invalidArgument } from '../errors';
import type { Json } from '../registry/types';
import { closestName } from '../suggest';
import { gridPoints, gridSampler, type GridOptions } from './grid';
import { PARZEN_DEFAULTS } from './parzen';
import { HyperbandPruner, MedianPruner, NopPruner, SuccessiveHalvingPruner, type Pruner } from './pruners';
import { randomSampler } from './random';
import type { Sampler } from './sampler';
import type { SearchSpace } from './space';
import { tpeSampler, type TpeOptions } from './tpe';

export const SAMPLER_NAMES = ['grid', 'random', 'tpe'] as const;
export const PRUNER_NAMES = ['median', 'successive-halving', 'hyperband', 'none'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];
export type PrunerName = (typeof PRUNER_NAMES)[number];
export type JsonOptions = { [key: string]: Json };

const SAMPLER_OPTIONS: { [name in SamplerName]: readonly string[] } = {
  grid: ['values', 'counts'],
  random: [],
  tpe: ['startupTrials', 'eiCandidates', ...Object.keys(PARZEN_DEFAULTS)],
};

/** The name checked against the known ones, with a did-you-mean for a near miss. */
export function checkName<T extends string>(field: string, name: unknown, known: readonly T[]): T {
  if (typeof name === 'string' && (known as readonly string[]).includes(name)) return name as T;
  const guess = typeof name === 'string' ? closestName(name, known, 3) : undefined;
  const quoted = known.map((k) => `'${k}'`).join(', ');
  throw invalidArgument(field, `one of ${quoted}`, name, guess ? `Did you mean '${guess}'?` : `Use one of ${quoted}.`);
}

/** The sampler a definition names; its options are checked here (unknown keys too), so a bad one fails before any run. */
export function createSampler(name: SamplerName, options: JsonOptions): Sampler {
  checkOptionKeys(`sampler.options`, options, SAMPLER_OPTIONS[name], name);
  if (name === 'grid') return gridSampler(options as GridOptions);
  if (name === 'tpe') return tpeSampler(options as TpeOptions);
  return randomSampler();
}

/** How many trials a grid has (its budget when none is given). */
export function gridSize(space: SearchSpace, options: JsonOptions): number {
  return gridPoints(space, options as GridOptions).length;
}

/**
 * The pruner a definition names. `metric` (for reasons) defaults to the intermediate metric and
 * Hyperband's `seed` to the sweep's, so a definition need not repeat them.
 */
export function createPruner(name: PrunerName, options: JsonOptions, defaults: { metric: string; seed: number }): Pruner {
  const withMetric = { metric: defaults.metric, ...options };
  switch (name) {
    case 'median':
      return new MedianPruner(withMetric);
    case 'successive-halving':
      return new SuccessiveHalvingPruner(withMetric);
    case 'hyperband':
      return new HyperbandPruner({ seed: defaults.seed, ...withMetric } as never);
    case 'none':
      checkOptionKeys('pruner.options', options, [], name);
      return new NopPruner();
  }
}

function checkOptionKeys(field: string, options: JsonOptions, known: readonly string[], name: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const guess = closestName(key, known, 3);
    const expected = known.length ? `only ${known.map((k) => `\`${k}\``).join(', ')} for '${name}'` : `no options for '${name}'`;
    throw invalidArgument(field, expected, key, guess ? `Did you mean \`${guess}\`?` : 'Remove the option.');
  }
}
