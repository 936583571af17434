/** Opens a registry database: pragmas, the version check and migrations, safe under concurrency. */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { LabbookError } from '../errors';
import { checkRegistryFile, explainDatabaseError, makeRegistryFolder } from './file';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** false: refuse to create a missing database (read-only tools such as the CLI's `runs`). */
  create?: boolean;
  /** How long a writer waits for another process's lock before failing. */
  busyTimeoutMs?: number;
}

export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Db {
  const create = options.create ?? true;
  if (!existsSync(path)) {
    if (!create) {
      throw new LabbookError(
        'NO_REGISTRY',
        `No labbook registry at ${path}: expected an existing database. Record a run first, or point --db / LABBOOK_DB at one.`,
      );
    }
    makeRegistryFolder(path);
  }
  checkRegistryFile(path);
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 15000}`);
    // Checked before anything writes: a database from a newer labbook is never modified.
    checkVersion(path, readVersion(db, path));
    withBusyRetry(() => db.pragma('journal_mode = WAL'));
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, path);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function readVersion(db: Db, path: string): number {
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } catch (error) {
    // Not a database, or a damaged one: said with the file's name and the fix.
    throw explainDatabaseError(error, path);
  }
}

function checkVersion(path: string, version: number): void {
  if (version > SCHEMA_VERSION) {
    throw new LabbookError(
      'SCHEMA_TOO_NEW',
      `The registry ${path} has schema version ${version}, newer than this labbook understands (${SCHEMA_VERSION}); it was left untouched. Upgrade labbook to open it.`,
    );
  }
}

/**
 * Several processes may open a fresh database at once: the version is re-read inside an
 * IMMEDIATE transaction, so exactly one of them applies each migration and the others see it done.
 */
function migrate(db: Db, path: string): void {
  if ((db.pragma('user_version', { simple: true }) as number) === SCHEMA_VERSION) return;
  const apply = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    checkVersion(path, version);
    for (let next = version; next < SCHEMA_VERSION; next++) db.exec(MIGRATIONS[next]);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
  withBusyRetry(() => apply.immediate());
}

/** Switching to WAL takes an exclusive lock that the busy timeout does not always cover. */
function withBusyRetry<T>(action: () => T, attempts = 200): T {
  for (let attempt = 1; ; attempt++) {
    try {
      return action();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if ((code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') || attempt >= attempts) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
    }
  }
}
