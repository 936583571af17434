/** Why a path cannot serve as a registry database, in one line: checked before SQLite opens it, read from SQLite's errors after. */
import { accessSync, constants, mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { LabbookError } from '../errors';

/**
 * Refuses a path that is not a regular file before SQLite touches it: SQLite would block for ever
 * opening a FIFO it may only read, and reports a directory as a bare "unable to open". Its
 * write-ahead log and shared-memory files beside it are checked the same way.
 */
export function checkRegistryFile(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    let stat: Stats | undefined;
    try {
      stat = statSync(file, { throwIfNoEntry: false });
    } catch (error) {
      // ENOENT is no error here; ENOTDIR is a file where a folder must be; EACCES a folder this user may not enter.
      const code = (error as { code?: string }).code ?? 'an error';
      const blocker = code === 'ENOTDIR' ? fileInTheWay(dirname(path)) : null;
      if (blocker) throw fileInTheWayError(path, blocker);
      throw new LabbookError(
        'REGISTRY_ACCESS',
        `Cannot open the registry ${path}: expected folders this user can enter on the way to it, received ${code} for ${file}. Fix the folders' permissions (chmod +x), or point --db / LABBOOK_DB at a registry this user can reach.`,
      );
    }
    if (!stat) continue;
    if (stat.isFile()) {
      // Unreadable, SQLite says only "unable to open database file"; a read-only one may still be read.
      const denied = file === path && refused(path, constants.R_OK);
      if (denied) throw accessError(path, denied);
      continue;
    }
    const fix = stat.isDirectory() && file === path
      ? `Point --db / LABBOOK_DB at the database file, e.g. ${join(path, 'labbook.db')}.`
      : file === path
        ? 'Point --db / LABBOOK_DB at a registry file or a new path.'
        : `Remove ${file}; SQLite recreates it.`;
    throw new LabbookError('NO_REGISTRY', `${file} cannot be ${file === path ? 'a labbook registry' : "a registry's SQLite side file"}: expected a regular file, received ${kind(stat)}. ${fix}`);
  }
}

/** The folder for a new registry; a file in the way or a folder we may not write is said plainly. */
export function makeRegistryFolder(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    const blocker = fileInTheWay(dirname(path));
    if (blocker) throw fileInTheWayError(path, blocker);
    throw new LabbookError('REGISTRY_ACCESS', `Cannot create the registry ${path}: expected a folder this user can create or write at ${dirname(path)}, received ${(error as { code?: string }).code ?? 'an error'} (${firstLine(error)}). Point --db / LABBOOK_DB at a writable path.`);
  }
}

function fileInTheWayError(path: string, blocker: string): LabbookError {
  return new LabbookError('REGISTRY_ACCESS', `Cannot use the registry path ${path}: expected a folder at ${blocker}, received a file. Point --db / LABBOOK_DB at a path whose folders are folders.`);
}

/** The nearest existing ancestor of `folder` (itself included) when it is not a folder. */
function fileInTheWay(folder: string): string | null {
  for (let at = folder; ; at = dirname(at)) {
    const stat = statSync(at, { throwIfNoEntry: false });
    if (stat) return stat.isDirectory() ? null : at;
    if (dirname(at) === at) return null;
  }
}

/**
 * SQLite's error, when it says the file itself is unusable (not a database, damaged, unreadable,
 * read-only), as a LabbookError naming the file and the fix; any other error is returned as it is.
 */
export function explainDatabaseError(error: unknown, path: string): unknown {
  if (error instanceof LabbookError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  const said = JSON.stringify(firstLine(error));
  if (code === 'SQLITE_NOTADB') {
    return new LabbookError('NO_REGISTRY', `${path} is not a labbook registry: expected an SQLite database, received another kind of file. Point --db / LABBOOK_DB at a registry or a new path.`);
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new LabbookError(
      'REGISTRY_CORRUPT',
      `The registry ${path} is damaged: expected an intact SQLite database, received one SQLite reports as ${said}. Restore it from a backup, or salvage what is readable with \`sqlite3 ${path} .recover | sqlite3 recovered.db\` and point --db at recovered.db.`,
    );
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM') return accessError(path, error);
  return error;
}

/** A registry this user may not read or write: the file or its folder, whichever it is. */
function accessError(path: string, error: unknown): LabbookError {
  // SQLite writes run state into the file and keeps its -wal and -shm files in the folder.
  const onFile = refused(path, constants.R_OK | constants.W_OK);
  const onFolder = onFile ? null : refused(dirname(path), constants.W_OK | constants.X_OK);
  const what = onFile ? `${onFile} on the file` : onFolder ? `${onFolder} on its folder ${dirname(path)}` : JSON.stringify(firstLine(error));
  return new LabbookError(
    'REGISTRY_ACCESS',
    `Cannot open the registry ${path}: expected a file and folder this user can read and write, received ${what}. Fix the permissions (chmod u+rw), or copy the registry somewhere writable and point --db at the copy.`,
  );
}

/** The errno code for which this user may not use `target` so, or null when it may. */
function refused(target: string, mode: number): string | null {
  try {
    accessSync(target, mode);
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? 'an error';
  }
}

function kind(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'something other than a file';
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
