/** How a worker reads a sweep definition (JSON) into the sampler call and the budget the queue needs. */
import { invalidArgument } from '../../errors';
import type { Json } from '../../registry/types';
import { checkName, createSampler, SAMPLER_NAMES } from '../../sweep/factory';
import type { Direction, Sampler } from '../../sweep/sampler';
import { defineSpace, type SearchSpace } from '../../sweep/space';
import type { Budget, ClaimOptions } from './claim';

/**
 * The fields the queue reads from a sweep definition; anything else in it (what to train) is the
 * trial function's business. `sampler` is a name or `{ name, options }` with the sampler's options.
 */
export interface QueueDefinition {
  space: SearchSpace;
  sampler?: 'tpe' | 'random' | 'grid' | { name: 'tpe' | 'random' | 'grid'; options?: { [key: string]: Json } };
  direction?: Direction;
  /** Budget: the number of trials to propose. */
  trials?: number;
  /** Budget: propose no trial after this many ms since the sweep was created. */
  timeMs?: number;
  /** defineSweep's spelling of the same (kernel-lib/src/sweep/define.ts): read when the fields above are absent. */
  objective?: { direction?: Direction };
  budget?: { trials?: number | null; timeS?: number | null };
}

export interface Plan {
  propose: ClaimOptions['propose'];
  budget: Budget;
}

export function planFromDefinition(definition: Json, seed: number): Plan {
  if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
    throw invalidArgument('definition', 'a sweep definition object {space, sampler, direction, trials}', definition);
  }
  const d = definition as unknown as QueueDefinition;
  const space = defineSpace(d.space);
  const direction = d.direction ?? d.objective?.direction ?? 'minimize';
  const sampler = makeSampler(d.sampler ?? 'tpe');
  const budget: Budget = {};
  const trials = d.trials ?? d.budget?.trials ?? undefined;
  const timeMs = d.timeMs ?? (typeof d.budget?.timeS === 'number' ? d.budget.timeS * 1000 : undefined);
  if (trials !== undefined) {
    if (!Number.isSafeInteger(trials) || trials < 1) throw invalidArgument('trials', 'an integer >= 1', trials);
    budget.trials = trials;
  }
  if (timeMs !== undefined) {
    if (!(timeMs > 0)) throw invalidArgument('timeMs', 'a number of milliseconds > 0', timeMs);
    budget.timeMs = timeMs;
  }
  if (budget.trials === undefined && budget.timeMs === undefined && sampler.name !== 'grid') {
    throw invalidArgument('trials', 'a budget: `trials` (a count) or `timeMs`', undefined, 'Only a grid sweep ends by itself.');
  }
  return { budget, propose: (trials, number) => sampler.propose({ space, seed, number, trials, direction }) };
}

// The runner's factory, so a worker checks sampler options exactly as defineSweep did.
function makeSampler(spec: NonNullable<QueueDefinition['sampler']>): Sampler {
  const { name, options = {} } = typeof spec === 'string' ? { name: spec } : spec;
  return createSampler(checkName('sampler', name, SAMPLER_NAMES), options);
}
