/** Config overrides merged into an experiment's defaults: dotted paths, deep-merged objects, checked against the defaults. */
import { describeValue, invalidArgument, LabbookError, withArticle } from '../errors';
import type { Config, Json } from '../registry/types';
import { closestName } from '../suggest';

type JsonObject = { [key: string]: Json };

/**
 * The defaults with `overrides` applied, as a new object (the defaults are never touched).
 *
 * - A key may be a dotted path (`opt.lr`) into nested settings, the same path queries use
 *   (`config.opt.lr`). A key that exists as written (one with a dot in it) wins over the path.
 * - An object value merges into the default object key by key, recursively (`model={"units":[64]}`
 *   keeps model's other settings); arrays and other values replace.
 * - Every path must exist in the defaults and every value keep the default's type (null is allowed
 *   either way), so a typo is an error rather than a setting that silently does nothing.
 */
export function mergeConfig(experiment: string, defaults: Config, overrides: { [key: string]: Json } = {}): Config {
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw invalidArgument('set', 'an object of config keys (dotted paths allowed) to values, e.g. {"opt.lr": 0.1}', overrides);
  }
  const config = clone(defaults) as JsonObject;
  for (const [key, value] of Object.entries(overrides)) {
    let node = config;
    let segments = key.split('.');
    const walked: string[] = [];
    for (;;) {
      const head = ownKeyPrefix(node, segments);
      if (head === null) throw unknownKey(experiment, defaults, node, walked, key);
      walked.push(head.key);
      segments = head.rest;
      if (segments.length === 0) break;
      const child = node[head.key];
      if (!isObject(child)) {
        throw new LabbookError(
          'INVALID_ARGUMENT',
          `Unknown config key \`${key}\` for ${experiment}: \`${walked.join('.')}\` is ${describeValue(child)}, not an object of settings, so it has no \`${segments.join('.')}\`. Set \`${walked.join('.')}\` itself.`,
        );
      }
      node = child;
    }
    assign(experiment, defaults, node, walked, value);
  }
  return config;
}

/** The longest run of leading segments that is one of node's own keys (`a.b` may itself be a key). */
function ownKeyPrefix(node: JsonObject, segments: string[]): { key: string; rest: string[] } | null {
  for (let n = segments.length; n > 0; n--) {
    const key = segments.slice(0, n).join('.');
    if (Object.hasOwn(node, key)) return { key, rest: segments.slice(n) };
  }
  return null;
}

function assign(experiment: string, defaults: Config, node: JsonObject, path: string[], value: Json): void {
  const key = path[path.length - 1];
  const old = node[key];
  if (isObject(old) && isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (!Object.hasOwn(old, k)) throw unknownKey(experiment, defaults, old, path, [...path, k].join('.'));
      assign(experiment, defaults, old, [...path, k], v);
    }
    return;
  }
  const expected = kind(old);
  if (expected !== kind(value) && old !== null && value !== null) {
    throw invalidArgument(path.join('.'), `${article(expected)} like ${experiment}'s default ${JSON.stringify(old)}`, value);
  }
  define(node, key, clone(value));
}

function unknownKey(experiment: string, defaults: Config, node: JsonObject, walked: string[], key: string): LabbookError {
  const prefix = walked.length ? `${walked.join('.')}.` : '';
  const siblings = Object.keys(node).map((k) => prefix + k);
  const shown = siblings.length > 30 ? `${siblings.slice(0, 30).join(', ')}, ...` : siblings.join(', ');
  const expected = siblings.length ? `one of ${shown}` : `no key under \`${walked.join('.')}\` (its default is {})`;
  return new LabbookError(
    'INVALID_ARGUMENT',
    `Unknown config key \`${key}\` for ${experiment}: expected ${expected}, received ${JSON.stringify(key)}. ${hint(key, allPaths(defaults))}`,
  );
}

/** Close keys: the nearest path by spelling, and any path that ends in the same name (`lr` for `opt.lr`). */
function hint(key: string, paths: string[]): string {
  const last = key.slice(key.lastIndexOf('.') + 1);
  const close = new Set<string>();
  const guess = closestName(key, paths);
  if (guess) close.add(guess);
  for (const p of paths) if (p !== key && (p === last || p.endsWith(`.${last}`))) close.add(p);
  const list = [...close].slice(0, 5).map((p) => `\`${p}\``);
  if (list.length === 0) return 'Check the spelling; nested settings are dotted paths such as `model.units`.';
  return `Did you mean ${list.length === 1 ? list[0] : `one of ${list.join(', ')}`}?`;
}

/** Every settable path of a config: objects and their keys, flattened with dots. */
function allPaths(config: JsonObject, prefix = ''): string[] {
  return Object.entries(config).flatMap(([k, v]) => [prefix + k, ...(isObject(v) ? allPaths(v, `${prefix}${k}.`) : [])]);
}

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function kind(value: Json): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function article(kind: string): string {
  return withArticle(kind);
}

/** A deep copy in which a key such as `__proto__` stays an ordinary key (plain assignment would set the prototype). */
function clone(value: Json): Json {
  if (Array.isArray(value)) return value.map(clone);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) define(out, k, clone(v));
  return out;
}

function define(node: JsonObject, key: string, value: Json): void {
  Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });
}
