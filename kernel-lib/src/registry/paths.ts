/** Where a registry lives: `--db`, then `LABBOOK_DB`, then `.labbook/labbook.db` at the project root (findProjectRoot: a monorepo's root from any workspace). */
import { dirname, join, resolve } from 'node:path';
import { findProjectRoot } from '../repro/root';
import { isPostgresUrl } from '../team/url';

/**
 * A PostgreSQL URL (the team store) in --db or LABBOOK_DB is no file: runs are still recorded
 * locally first (sync pushes them), in LABBOOK_LOCAL_DB or the default file.
 */
export function resolveDbPath(explicit?: string): string {
  if (explicit && !isPostgresUrl(explicit)) return resolve(explicit);
  const fromEnv = process.env.LABBOOK_DB;
  if (fromEnv && !isPostgresUrl(fromEnv) && !isPostgresUrl(explicit)) return resolve(fromEnv);
  const local = process.env.LABBOOK_LOCAL_DB;
  if (local) return resolve(local);
  return join(findProjectRoot(), '.labbook', 'labbook.db');
}

/** Content-addressed objects (checkpoints, artifacts) sit beside the database file. */
export function objectsDirFor(dbPath: string): string {
  return join(dirname(dbPath), 'objects');
}
