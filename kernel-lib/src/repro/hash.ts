/** SHA-256 helpers and the canonical JSON that config hashes are computed over. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { invalidArgument } from '../errors';
import { findProjectRoot } from './root';
import { dict } from '../registry/keys';
import type { Json } from '../registry/types';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * JSON with object keys sorted at every depth, so equal configs always hash alike whatever order
 * their keys were written in. Rejects what JSON cannot round-trip (NaN, Infinity, undefined,
 * functions, class instances) instead of silently dropping it.
 */
export function canonicalJson(value: unknown, path = 'value'): string {
  return JSON.stringify(toCanonical(value, path));
}

function toCanonical(value: unknown, path: string): Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw invalidArgument(path, 'a finite number (JSON has no NaN or Infinity)', value);
    }
    return Object.is(value, -0) ? 0 : value;
  }
  if (Array.isArray(value)) return value.map((item, i) => toCanonical(item, `${path}[${i}]`));
  if (typeof value === 'object' && isPlainObject(value)) {
    const out = dict<Json>(); // so a `__proto__` key is kept, and hashed, like any other
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined) continue; // as JSON.stringify does: an absent key and undefined agree
      out[key] = toCanonical(item, `${path}.${key}`);
    }
    return out;
  }
  throw invalidArgument(path, 'a JSON value (null, boolean, number, string, array or plain object)', value);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Hash of the given files' contents and their paths relative to `root` (default: the project
 * root, so the hash does not depend on the folder a command was started from). Order-independent.
 */
export function hashFiles(paths: readonly string[], root = findProjectRoot()): string {
  const entries = paths
    .map((p) => resolve(root, p))
    .map((abs) => ({ rel: relative(root, abs).split('\\').join('/'), abs }))
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const hash = createHash('sha256');
  for (const { rel, abs } of entries) {
    const content = readFileSync(abs);
    hash.update(`${rel}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}
