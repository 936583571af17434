/** The random sampler: each active param drawn independently from its range, from the trial's seeded RNG. */
import type { Rng } from '../repro/rng';
import { checkInput, type ProposeInput, type Sampler, trialRng } from './sampler';
import { defineSpace, isActive, type ParamSpec, type Params, type Scalar, type SearchSpace } from './space';

export function randomSampler(): Sampler {
  return {
    name: 'random',
    propose(input: ProposeInput): Params {
      checkInput(input);
      defineSpace(input.space);
      return sampleRandom(input.space, trialRng(input.seed, input.number));
    },
  };
}

/** Params in declaration order, conditional ones only where their parent's choice makes them active. */
export function sampleRandom(space: SearchSpace, rng: Rng, given: Params = {}): Params {
  const params: Params = { ...given };
  for (const name of Object.keys(space)) {
    if (Object.hasOwn(params, name) || !isActive(space, name, params)) continue;
    params[name] = drawOne(space[name], rng);
  }
  return params;
}

export function drawOne(spec: ParamSpec, rng: Rng): Scalar {
  switch (spec.kind) {
    case 'choice':
      return spec.choices[rng.int(spec.choices.length)];
    case 'int': {
      if (!spec.log) return spec.low + spec.step * rng.int((spec.high - spec.low) / spec.step + 1);
      // Uniform in log space over the intervals the ints own, as Optuna's RandomSampler draws log ints.
      const lo = Math.log(spec.low - 0.5), hi = Math.log(spec.high + 0.5);
      return Math.min(Math.max(Math.round(Math.exp(lo + (hi - lo) * rng.next())), spec.low), spec.high);
    }
    case 'uniform':
      return spec.low + (spec.high - spec.low) * rng.next();
    case 'logUniform': {
      const lo = Math.log(spec.low), hi = Math.log(spec.high);
      return Math.min(Math.max(Math.exp(lo + (hi - lo) * rng.next()), spec.low), spec.high);
    }
  }
}
