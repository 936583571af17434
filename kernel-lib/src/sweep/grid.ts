/** The grid sampler: every combination of the params' values, in a fixed order; trial n gets combination n. */
import { invalidArgument } from '../errors';
import { checkInput, type ProposeInput, type Sampler } from './sampler';
import { defineSpace, isActive, type ParamSpec, type Params, type Scalar, type SearchSpace } from './space';

export interface GridOptions {
  /** Explicit values for any param (they must lie in its range, or be among its choices). */
  values?: { [name: string]: Scalar[] };
  /** How many evenly spaced points (both ends included; log-spaced for logUniform) a continuous param gets. */
  counts?: { [name: string]: number };
}

/**
 * Combinations in declaration order with the last param varying fastest (like nested loops);
 * a conditional param multiplies only the combinations where it is active, so none repeats.
 * Choices and ints contribute every value; uniform/logUniform need `values` or `counts`, because
 * a grid over a continuous range has no natural size.
 */
export function gridPoints(space: SearchSpace, options: GridOptions = {}): Params[] {
  defineSpace(space);
  const names = Object.keys(space);
  for (const key of [...Object.keys(options.values ?? {}), ...Object.keys(options.counts ?? {})]) {
    if (!names.includes(key)) throw invalidArgument('grid', `values or counts for params of the space (${names.join(', ')})`, key, 'Name a param the space defines.');
  }
  const axes = new Map(names.map((n) => [n, axis(n, space[n], options)]));
  const out: Params[] = [];
  const walk = (i: number, chosen: Params): void => {
    if (i === names.length) {
      out.push({ ...chosen });
      return;
    }
    const name = names[i];
    if (!isActive(space, name, chosen)) return walk(i + 1, chosen);
    for (const v of axes.get(name)!) walk(i + 1, { ...chosen, [name]: v });
  };
  walk(0, {});
  return out;
}

export function gridSampler(options: GridOptions = {}): Sampler {
  let cached: { space: SearchSpace; points: Params[] } | null = null;
  return {
    name: 'grid',
    propose(input: ProposeInput): Params | null {
      checkInput(input);
      // Only a cache of a pure function of the space: a fresh process recomputes the same list.
      if (cached?.space !== input.space) cached = { space: input.space, points: gridPoints(input.space, options) };
      return input.number < cached.points.length ? { ...cached.points[input.number] } : null;
    },
  };
}

function axis(name: string, spec: ParamSpec, options: GridOptions): Scalar[] {
  const given = options.values?.[name];
  const count = options.counts?.[name];
  if (given !== undefined) {
    if (!Array.isArray(given) || given.length === 0) throw invalidArgument(`grid.values["${name}"]`, 'a non-empty array', given);
    for (const v of given) if (!inRange(spec, v)) throw invalidArgument(`grid.values["${name}"]`, `values inside ${name}'s ${describeSpec(spec)}`, v);
    return given;
  }
  if (spec.kind === 'choice') return spec.choices;
  if (spec.kind === 'int') {
    return Array.from({ length: (spec.high - spec.low) / spec.step + 1 }, (_, i) => spec.low + i * spec.step);
  }
  if (count === undefined) {
    throw invalidArgument(`grid.counts["${name}"]`, `a number of points for the continuous param ${name}`, count, `Pass counts: {"${name}": 5} or values: {"${name}": [...]} to gridSampler.`);
  }
  if (!Number.isSafeInteger(count) || count < 2) throw invalidArgument(`grid.counts["${name}"]`, 'an integer >= 2 (both ends are points)', count);
  const log = spec.kind === 'logUniform';
  const lo = log ? Math.log(spec.low) : spec.low, hi = log ? Math.log(spec.high) : spec.high;
  return Array.from({ length: count }, (_, i) => {
    const x = i === count - 1 ? hi : lo + ((hi - lo) * i) / (count - 1);
    return i === 0 ? spec.low : i === count - 1 ? spec.high : log ? Math.exp(x) : x;
  });
}

function inRange(spec: ParamSpec, v: Scalar): boolean {
  if (spec.kind === 'choice') return spec.choices.some((c) => JSON.stringify(c) === JSON.stringify(v));
  if (typeof v !== 'number' || v < spec.low || v > spec.high) return false;
  return spec.kind !== 'int' || (Number.isInteger(v) && (v - spec.low) % spec.step === 0);
}

function describeSpec(spec: ParamSpec): string {
  if (spec.kind === 'choice') return `choices ${spec.choices.map((c) => JSON.stringify(c)).join(', ')}`;
  return `${spec.kind} range [${spec.low}, ${spec.high}]${spec.kind === 'int' && spec.step !== 1 ? ` step ${spec.step}` : ''}`;
}
