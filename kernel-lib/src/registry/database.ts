/** Opens a registry database: pragmas, the version check and migrations, safe under concurrency. */
import Database from 'better-sqlite3';
import { existsSync, readFileSync, statSync } from 'node:fs';
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
  checkRegistryFile(path);
  if (!existsSync(path)) {
    if (!create) {
      throw new LabbookError(
        'NO_REGISTRY',
        `No labbook registry at ${path}: expected an existing database. Record a run first, or point --db / LABBOOK_DB at one.`,
      );
    }
    makeRegistryFolder(path);
  }
  let db = new Database(path);
  try {
    setUp(db, path, options);
    return db;
  } catch (error) {
    db.close();
    if (!needsHeapIndex(error)) throw error;
    return openWithoutSharedIndex(path, options, error);
  }
}

/** Connections no other connection can share: opened by openWithoutSharedIndex. */
const sole = new WeakSet<Db>();

/** Whether `db` shuts out other connections (so a read must go through it, not a new one). */
export function isSoleConnection(db: Db): boolean {
  return sole.has(db);
}

/**
 * A WAL database is read through its shared index (-shm), which SQLite must first make on disk;
 * on a full or read-only disk it cannot (the -shm was removed by the last clean close). Reading
 * must still work there. In exclusive locking mode the index lives in this process's memory:
 * that shuts other processes out while the handle is open, but it is only reached when nobody has
 * the index in use, and the CLI closes soon. Exclusive mode needs a write lock, which read-only
 * media refuse: there the database is read from a read-only copy in memory, when its log holds
 * nothing the file lacks.
 */
function openWithoutSharedIndex(path: string, options: OpenDatabaseOptions, original: unknown): Db {
  let db = new Database(path);
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    setUp(db, path, options);
    sole.add(db);
    return db;
  } catch {
    db.close();
  }
  if (!(statSync(`${path}-wal`, { throwIfNoEntry: false })?.size)) {
    try {
      const bytes = readFileSync(path);
      bytes[18] = bytes[19] = 1; // the header's WAL mode off: a copy in memory has no log
      db = new Database(bytes, { readonly: true });
    } catch {
      throw explained(path, original);
    }
    try {
      setUp(db, path, options);
      sole.add(db);
      return db;
    } catch (error) {
      db.close();
      throw error instanceof LabbookError ? error : explained(path, original);
    }
  }
  throw explained(path, original);
}

function explained(path: string, error: unknown): unknown {
  const said = explainDatabaseError(error, path);
  return said instanceof LabbookError ? said : unwritable(path, 'read it', error);
}

function setUp(db: Db, path: string, options: OpenDatabaseOptions): void {
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 15000}`);
  // Checked before anything writes: a database from a newer labbook is never modified.
  checkVersion(path, readVersion(db, path));
  // Only a database not yet in WAL mode is switched (a write); on a full or read-only disk it stays
  // as it is, readable, and is switched by the next open that can write.
  if (db.pragma('journal_mode', { simple: true }) !== 'wal') {
    try {
      withBusyRetry(() => db.pragma('journal_mode = WAL'));
    } catch (error) {
      if (!isUnwritable(error) || /BUSY|LOCKED/.test(String((error as { code?: string }).code))) throw error;
    }
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  try {
    migrate(db, path);
  } catch (error) {
    if (isUnwritable(error) && !/BUSY|LOCKED/.test(String((error as { code?: string }).code))) {
      throw unwritable(path, `bring its schema to version ${SCHEMA_VERSION} (a write)`, error);
    }
    throw error;
  }
}

/**
 * A write the disk or the file refused (full, read-only, busy, an I/O error): what best-effort
 * writes made while reading (marking dead runs crashed) skip rather than fail the read.
 */
export function isUnwritable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(FULL|READONLY|BUSY|LOCKED|IOERR|CANTOPEN)/.test(code);
}

/** The shared index could not be made: no space, or no write access, next to the database. */
function needsHeapIndex(error: unknown): boolean {
  const code = String((error as { code?: unknown } | null)?.code);
  return /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/.test(code);
}

function unwritable(path: string, action: string, error: unknown): LabbookError {
  const code = (error as { code?: string }).code;
  return new LabbookError(
    'WRITE_FAILED',
    `Cannot open the registry ${path}: expected to ${action}, received ${code} (${(error as Error).message}), as from a full or read-only disk. Free space on that disk (or make it writable) and retry.`,
  );
}

function readVersion(db: Db, path: string): number {
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } catch (error) {
    if (needsHeapIndex(error)) throw error; // openDatabase tries other ways first
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
