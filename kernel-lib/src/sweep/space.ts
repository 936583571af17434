/** A sweep's search space: typed param definitions, their validation, and which params a trial's choices make active. */
import { describeValue, invalidArgument, LabbookError } from '../errors';

export type Scalar = string | number | boolean | null;

/** Present a param only when an earlier choice param `param` took one of `values`. */
export interface Condition {
  param: string;
  values: Scalar[];
}

export type ParamSpec =
  | { kind: 'choice'; choices: Scalar[]; when?: Condition }
  | { kind: 'int'; low: number; high: number; step: number; log: boolean; when?: Condition }
  | { kind: 'uniform'; low: number; high: number; when?: Condition }
  | { kind: 'logUniform'; low: number; high: number; when?: Condition };

/** Dotted param name (the `--set` path, e.g. `opt.lr`) -> spec, in the order params are sampled. */
export type SearchSpace = { readonly [name: string]: ParamSpec };

export type Params = { [name: string]: Scalar };

export const choice = (choices: Scalar[], opts: { when?: Condition } = {}): ParamSpec => ({ kind: 'choice', choices, ...opts });
export const int = (low: number, high: number, opts: { step?: number; log?: boolean; when?: Condition } = {}): ParamSpec => ({
  kind: 'int', low, high, step: opts.step ?? 1, log: opts.log ?? false, ...(opts.when ? { when: opts.when } : {}),
});
export const uniform = (low: number, high: number, opts: { when?: Condition } = {}): ParamSpec => ({ kind: 'uniform', low, high, ...opts });
export const logUniform = (low: number, high: number, opts: { when?: Condition } = {}): ParamSpec => ({ kind: 'logUniform', low, high, ...opts });

// The same path grammar `--set` walks (experiment/config.ts splits on dots): non-empty segments, no spaces.
const NAME = /^[^.\s=]+(\.[^.\s=]+)*$/;

/** Checks every spec and returns the space unchanged, so a bad sweep fails before its first trial. */
export function defineSpace(space: SearchSpace): SearchSpace {
  if (space === null || typeof space !== 'object' || Array.isArray(space)) {
    throw invalidArgument('space', 'an object of dotted param names to specs, e.g. {"opt.lr": logUniform(1e-4, 1e-1)}', space);
  }
  const names = Object.keys(space);
  if (names.length === 0) throw invalidArgument('space', 'at least one param', space, 'Add a param such as `{"opt.lr": logUniform(1e-4, 1e-1)}`.');
  names.forEach((name, i) => checkParam(space, names.slice(0, i), name));
  return space;
}

function checkParam(space: SearchSpace, earlier: string[], name: string): void {
  const spec = space[name];
  const where = `space["${name}"]`;
  if (!NAME.test(name)) {
    throw invalidArgument('space', 'param names that are dotted config paths like `opt.lr` (no empty segments, spaces or `=`)', name, 'Name the param by the config key `--set` would take.');
  }
  if (spec === null || typeof spec !== 'object') throw invalidArgument(where, 'a spec from choice(), int(), uniform() or logUniform()', spec);
  switch (spec.kind) {
    case 'choice': {
      if (!Array.isArray(spec.choices) || spec.choices.length === 0) throw invalidArgument(`${where}.choices`, 'a non-empty array of strings, numbers, booleans or null', spec.choices);
      const seen = new Set<string>();
      for (const c of spec.choices) {
        if (!isScalar(c)) throw invalidArgument(`${where}.choices`, 'JSON scalars (string, finite number, boolean, null)', c, 'Put objects in the experiment and choose them by a name.');
        const key = JSON.stringify(c);
        if (seen.has(key)) throw invalidArgument(`${where}.choices`, 'distinct choices', c, 'Remove the duplicate.');
        seen.add(key);
      }
      break;
    }
    case 'int': {
      if (!Number.isSafeInteger(spec.low) || !Number.isSafeInteger(spec.high) || spec.low > spec.high) {
        throw invalidArgument(`${where}`, 'integer bounds with low <= high', { low: spec.low, high: spec.high });
      }
      if (!Number.isSafeInteger(spec.step) || spec.step < 1) throw invalidArgument(`${where}.step`, 'a positive integer', spec.step);
      if (spec.log && spec.step !== 1) throw invalidArgument(`${where}.step`, 'step 1 for a log int param (as Optuna requires)', spec.step, 'Drop `step` or `log`.');
      if (spec.log && spec.low < 1) throw invalidArgument(`${where}.low`, 'a value >= 1 for a log int param', spec.low);
      if ((spec.high - spec.low) % spec.step !== 0) throw invalidArgument(`${where}.high`, `low plus a multiple of step ${spec.step}`, spec.high, `Use ${spec.high - ((spec.high - spec.low) % spec.step)}.`);
      break;
    }
    case 'uniform':
    case 'logUniform': {
      if (!Number.isFinite(spec.low) || !Number.isFinite(spec.high) || spec.low > spec.high) {
        throw invalidArgument(where, 'finite bounds with low <= high', { low: spec.low, high: spec.high });
      }
      if (spec.kind === 'logUniform' && spec.low <= 0) throw invalidArgument(`${where}.low`, 'a positive number for logUniform', spec.low, 'Use uniform() for ranges that reach 0.');
      break;
    }
    default:
      throw invalidArgument(`${where}.kind`, '"choice", "int", "uniform" or "logUniform"', (spec as { kind: unknown }).kind);
  }
  if (spec.when !== undefined) checkCondition(space, earlier, name, spec.when);
}

function checkCondition(space: SearchSpace, earlier: string[], name: string, when: Condition): void {
  const parent = space[when?.param];
  if (!earlier.includes(when?.param) || parent?.kind !== 'choice') {
    throw new LabbookError(
      'INVALID_ARGUMENT',
      `Invalid value for \`space["${name}"].when.param\`: expected a choice param declared before "${name}", received ${describeValue(when?.param)}. Declare the parent choice first.`,
    );
  }
  const known = new Set(parent.choices.map((c) => JSON.stringify(c)));
  if (!Array.isArray(when.values) || when.values.length === 0 || when.values.some((v) => !known.has(JSON.stringify(v)))) {
    throw invalidArgument(`space["${name}"].when.values`, `a non-empty array of ${when.param}'s choices (${parent.choices.map((c) => JSON.stringify(c)).join(', ')})`, when.values);
  }
}

function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** Whether `name` is part of a trial given the values chosen so far (a conditional's parent must be active and match). */
export function isActive(space: SearchSpace, name: string, chosen: Params): boolean {
  const when = space[name].when;
  if (!when) return true;
  if (!Object.hasOwn(chosen, when.param)) return false;
  const value = JSON.stringify(chosen[when.param]);
  return when.values.some((v) => JSON.stringify(v) === value);
}
