/** Flattens a config into typed params (`model.units` -> 128) and turns them back into values. */
import { canonicalJson } from '../repro/hash';
import type { Json, ParamType } from './types';

export interface Param {
  key: string;
  /** What SQLite stores: numbers stay numbers, booleans become 1/0, arrays canonical JSON text. */
  value: number | string | null;
  type: ParamType;
}

/** Nested objects become dotted keys; arrays stay whole (as JSON) because their items are one setting. */
export function flattenParams(config: { [key: string]: Json }, prefix = ''): Param[] {
  const out: Param[] = [];
  for (const key of Object.keys(config).sort()) {
    const value = config[key];
    const path = prefix + key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      out.push(...flattenParams(value, `${path}.`));
    } else {
      out.push(toParam(path, value));
    }
  }
  return out;
}

function toParam(key: string, value: Json): Param {
  if (value === null) return { key, value: null, type: 'null' };
  switch (typeof value) {
    case 'number':
      return { key, value, type: 'number' };
    case 'string':
      return { key, value, type: 'string' };
    case 'boolean':
      return { key, value: value ? 1 : 0, type: 'boolean' };
    default:
      return { key, value: canonicalJson(value), type: 'json' };
  }
}

export function paramValue(stored: unknown, type: string): Json {
  switch (type) {
    case 'boolean':
      return stored === 1;
    case 'json':
      return JSON.parse(stored as string) as Json;
    case 'null':
      return null;
    default:
      return stored as Json;
  }
}
