/** Argument parsing shared by every command: node's parseArgs plus `--db` and `--json`. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LabbookError } from '../errors';
import type { Json } from '../registry/types';

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof COMMON_OPTIONS & O; allowPositionals: true; strict: true }>
>;

/** The positional arguments a command takes: what one is called, and how many (max may be Infinity). */
export interface Positionals {
  name: string;
  /** Default: name + 's'. */
  plural?: string;
  min: number;
  max: number;
}

const NO_POSITIONALS: Positionals = { name: 'positional argument', min: 0, max: 0 };

/**
 * Parses argv for one command; unknown or malformed options, and positionals the command does not
 * take (a stray word is never silently ignored), are a user's mistake (exit 2).
 */
export function parse<O extends Options>(argv: string[], options: O, usage: string, takes: Positionals = NO_POSITIONALS): Parsed<O> {
  const all = { ...COMMON_OPTIONS, ...options };
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: joinValues(argv, all), options: all, allowPositionals: true, strict: true });
  } catch (error) {
    // node's message goes on to explain `--` for positionals; its first sentence is the point.
    const message = (error instanceof Error ? error.message : String(error)).split('. ')[0].replace(/\.$/, '');
    throw new LabbookError('INVALID_ARGUMENT', `${message}. Usage: ${usage}`);
  }
  checkPositionals(parsed.positionals, takes, usage);
  return parsed;
}

function checkPositionals(positionals: string[], takes: Positionals, usage: string): void {
  const { name, plural = `${name}s`, min, max } = takes;
  const count = positionals.length;
  if (count > max) {
    throw new LabbookError('INVALID_ARGUMENT', `Unexpected argument ${JSON.stringify(positionals[max])}: expected ${expectation(takes)}, received ${count}. Usage: ${usage}`);
  }
  if (count < min) {
    throw new LabbookError('INVALID_ARGUMENT', `Missing ${min === 1 ? name : plural}: expected ${expectation(takes)}, received ${count}. Usage: ${usage}`);
  }
}

function expectation({ name, plural = `${name}s`, min, max }: Positionals): string {
  if (max === 0) return `no ${plural}`;
  if (min === max) return min === 1 ? `one ${name}` : `${min} ${plural}`;
  if (max === Infinity) return min === 0 ? `any number of ${plural}` : min === 1 ? `at least one ${name}` : `at least ${min} ${plural}`;
  return `${min} to ${max} ${plural}`;
}

/**
 * `--sort -metrics.acc` is how people write a descending sort, but parseArgs refuses a value
 * that starts with a dash; an option that takes a value always takes the next word.
 */
function joinValues(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    if (name && options[name]?.type === 'string' && i + 1 < argv.length) out.push(`--${name}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

/** A positive integer option or positional, with the usual error. */
export function toInt(name: string, text: string | undefined, min = 1): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`${name}\`: expected an integer >= ${min}, received ${JSON.stringify(text)}.`);
  }
  return Number(text);
}

export function runIds(positionals: string[], usage: string, min = 1): number[] {
  if (positionals.length < min) {
    throw new LabbookError('INVALID_ARGUMENT', `Missing run id: expected ${min === 1 ? 'a run id' : `at least ${min} run ids`}, received ${positionals.length}. Usage: ${usage}`);
  }
  return positionals.map((p) => toInt('run id', p)!);
}

/** `key=value` pairs (--set, --param); values parse as JSON when they can (numbers, booleans, arrays), else are strings. */
export function keyValues(option: string, pairs: readonly string[]): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`${option}\`: expected key=value, received ${JSON.stringify(pair)}.`);
    const text = pair.slice(eq + 1);
    let value: Json;
    try {
      value = JSON.parse(text) as Json;
    } catch {
      value = text;
    }
    // Defined, not assigned: `__proto__=...` must reach the config check as a key, not set a prototype.
    Object.defineProperty(out, pair.slice(0, eq), { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
