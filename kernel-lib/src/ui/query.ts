/** Reading an API request's query string: each parameter checked, with an error naming what was expected. */
import { LabbookError } from '../errors';

export type QueryValues = Record<string, string | undefined>;

function bad(name: string, expected: string, received: string): LabbookError {
  return new LabbookError('INVALID_ARGUMENT', `Invalid query parameter \`${name}\`: expected ${expected}, received ${JSON.stringify(received)}. Fix the URL (GET /api lists every route and its parameters).`);
}

/** An integer parameter in [min, max]; `fallback` when absent or empty. */
export function intParam(query: QueryValues, name: string, fallback: number | undefined, min: number, max: number): number | undefined {
  const text = query[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw bad(name, `an integer from ${min} to ${max}`, text);
  return Number(text);
}

/** A 0/1 switch; `fallback` when absent or empty. */
export function flagParam(query: QueryValues, name: string, fallback: boolean): boolean {
  const text = query[name];
  if (text === undefined || text === '') return fallback;
  if (text !== '0' && text !== '1') throw bad(name, '0 or 1', text);
  return text === '1';
}

/** A comma-separated list of run ids, `min` to `max` of them, no repeats. */
export function idsParam(query: QueryValues, name: string, min: number, max: number): number[] {
  const text = query[name] ?? '';
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (!parts.every((p) => /^[1-9]\d{0,15}$/.test(p))) throw bad(name, 'run ids separated by commas, e.g. 3,7,12', text);
  const ids = parts.map(Number);
  if (new Set(ids).size !== ids.length) throw bad(name, 'each run id once', text);
  if (ids.length < min || ids.length > max) throw bad(name, `${min} to ${max} run ids`, text);
  return ids;
}

/** The run ids a comparison takes: 2 to 100 (GET /api/compare, and the page's preload). */
export function compareIdsParam(query: QueryValues): number[] {
  return idsParam(query, 'ids', 2, 100);
}

/** A comma-separated list of metric keys, or undefined for every key. */
export function keysParam(query: QueryValues, name: string): string[] | undefined {
  const text = query[name];
  if (text === undefined || text.trim() === '') return undefined;
  return [...new Set(text.split(',').map((k) => k.trim()).filter((k) => k !== ''))];
}

/** A path segment that must be a run id. */
export function runId(text: string): number {
  if (!/^[1-9]\d{0,15}$/.test(text)) throw new LabbookError('INVALID_ARGUMENT', `Invalid run id ${JSON.stringify(text)}: expected a positive integer such as 12. Run ids are listed at GET /api/runs.`);
  return Number(text);
}
