/** What query functions read from: a Registry (brought up to date first) or a raw database handle. */
import type { Db } from '../registry/database';
import { Registry } from '../registry/registry';

export type RunSource = Registry | Db;

/**
 * A Registry is refreshed before it is read, so a listing sees this process's buffered points
 * and marks runs whose process died as crashed.
 */
export function dbOf(source: RunSource): Db {
  if (source instanceof Registry) {
    source.refresh();
    return source.db;
  }
  return source;
}
