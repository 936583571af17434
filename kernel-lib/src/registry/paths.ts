/** Where a registry lives: `--db`, then `LABBOOK_DB`, then `.labbook/labbook.db` at the project root (findProjectRoot: a monorepo's root from any workspace). */
import { dirname, join, resolve } from 'node:path';
import { findProjectRoot } from '../repro/root';

export function resolveDbPath(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const fromEnv = process.env.LABBOOK_DB;
  if (fromEnv) return resolve(fromEnv);
  return join(findProjectRoot(), '.labbook', 'labbook.db');
}

/** Content-addressed objects (checkpoints, artifacts) sit beside the database file. */
export function objectsDirFor(dbPath: string): string {
  return join(dirname(dbPath), 'objects');
}
