/** Shared argument checks and the one-parameter lists (of ids, of keys) that batched queries read. */
import { invalidArgument, LabbookError } from '../errors';
import type { Db } from '../registry/database';

/**
 * `IN (SELECT value FROM json_each(?))` takes any number of ids as one bound JSON array, so a
 * batch is one statement whatever its size and never meets SQLite's limit on `?` parameters.
 */
export const IN_LIST = 'IN (SELECT value FROM json_each(?))';

export function jsonList(items: readonly (number | string)[]): string {
  return JSON.stringify(items);
}

export function checkRunIds(name: string, ids: unknown, min: number): number[] {
  if (!Array.isArray(ids) || ids.length < min || !ids.every((id) => Number.isSafeInteger(id) && id > 0)) {
    throw invalidArgument(name, `an array of ${min} or more run ids (positive integers)`, ids);
  }
  return ids as number[];
}

/** Fails naming every id that is not in the registry, so one call reports all the typos. */
export function requireRuns(db: Db, ids: readonly number[]): void {
  const found = new Set(
    (db.prepare(`SELECT id FROM runs WHERE id ${IN_LIST}`).all(jsonList(ids)) as { id: number }[]).map((r) => r.id),
  );
  const missing = [...new Set(ids.filter((id) => !found.has(id)))];
  if (missing.length > 0) {
    const noun = missing.length === 1 ? 'run' : 'runs';
    throw new LabbookError(
      'NOT_FOUND',
      `No ${noun} with id ${missing.join(', ')} in this registry: expected the ids of recorded runs. List them with \`labbook runs\`.`,
    );
  }
}

export function checkCount(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw invalidArgument(name, 'a non-negative integer', value);
  }
  return value as number;
}
