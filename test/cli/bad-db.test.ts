import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, labbook } from './cli-process';

/**
 * `--db` pointing at something that is not a usable registry: every command, reading or writing,
 * ends with one line naming the file and the fix, exit 2 — never a stack trace, never a hang.
 */
const COMMANDS: string[][] = [
  ['runs'],
  ['show', '1'],
  ['sql', 'SELECT * FROM metrics'],
  ['export', '--format', 'csv'],
  ['diff', '1', '2'],
  ['gc', '--grace', '0'], // objects just written are in their grace period; 0 makes gc read the references
  ['delete', '1'],
  ['demo'],
  ['run', 'penguins-mlp', '--quiet'],
];

let dir: string;
let registry: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labbook-bad-db-'));
  registry = join(dir, 'real', 'registry.db');
  for (const seed of ['1', '2']) expect((await labbook(['demo', '--db', registry, '--seed', seed, '--json'])).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs every command against `db` and returns the one error line each printed. */
async function everyCommandRefuses(db: string, options: { uid?: number } = {}): Promise<string[]> {
  const lines: string[] = [];
  for (const command of COMMANDS) {
    const result = await labbook([...command, '--db', db], { ...options, timeoutMs: 20_000 });
    let line: string;
    try {
      line = expectOneLineError(result);
    } catch (error) {
      throw new Error(`labbook ${command.join(' ')} --db ${db}: ${(error as Error).message}`);
    }
    expect(result.stdout).toBe('');
    expect(line).toContain(db);
    lines.push(line);
  }
  return lines;
}

function copyOfRegistry(name: string): string {
  const copy = join(dir, name);
  copyFileSync(registry, copy);
  return copy;
}

describe('a --db that is not a usable registry', () => {
  it('a directory', async () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    for (const line of await everyCommandRefuses(folder)) {
      expect(line).toBe(`labbook: ${folder} cannot be a labbook registry: expected a regular file, received a directory. Point --db / LABBOOK_DB at the database file, e.g. ${join(folder, 'labbook.db')}.`);
    }
  });

  it('a FIFO (refused without opening it, so nothing waits for a writer)', async () => {
    const fifo = join(dir, 'a-fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    for (const line of await everyCommandRefuses(fifo)) expect(line).toMatch(/expected a regular file, received a named pipe \(FIFO\)\. Point --db/);
  });

  it('a file of random bytes', async () => {
    const noise = join(dir, 'noise.db');
    const bytes = randomBytes(64 * 1024);
    writeFileSync(noise, bytes);
    for (const line of await everyCommandRefuses(noise)) expect(line).toMatch(/is not a labbook registry: expected an SQLite database, received another kind of file/);
    expect(readFileSync(noise).equals(bytes)).toBe(true); // and nothing wrote to it
  });

  it('a truncated copy of a real registry, cut in its header pages or half way', async () => {
    for (const keep of [8192, Math.floor(statSync(registry).size / 2)]) {
      const cut = copyOfRegistry(`cut-${keep}.db`);
      truncateSync(cut, keep);
      for (const line of await everyCommandRefuses(cut)) {
        expect(line).toMatch(/is damaged: expected an intact SQLite database, received one SQLite reports as "database disk image is malformed"\. Restore it from a backup, or salvage what is readable with `sqlite3 .* \.recover/);
      }
    }
  });

  it('a registry that opens but whose tables are damaged (found by the read or write itself)', async () => {
    // With its objects beside it, so gc has objects to check against the (damaged) references.
    cpSync(join(registry, '..'), join(dir, 'damaged'), { recursive: true });
    const damaged = join(dir, 'damaged', 'registry.db');
    const db = new Database(damaged, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const roots = db
      // Every table and index but the runs' own (read at open), so each command meets the damage.
      .prepare("SELECT rootpage FROM sqlite_master WHERE rootpage > 0 AND tbl_name NOT IN ('runs', 'experiments', 'sqlite_sequence')")
      .all()
      .map((r) => (r as { rootpage: number }).rootpage);
    db.close();
    expect(roots.length).toBeGreaterThan(3);
    const fd = openSync(damaged, 'r+');
    for (const page of roots) writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
    closeSync(fd);
    for (const line of await everyCommandRefuses(damaged)) expect(line).toMatch(/is damaged: expected an intact SQLite database/);
  });

  // As root every file is readable, so the CLI runs as `nobody` there. The test run's temp folder
  // is private to this user, so the file sits in a folder of its own under /tmp that `nobody` can reach.
  const asRoot = process.getuid?.() === 0;
  it('a file this user may not read', async () => {
    const open = mkdtempSync(join(asRoot ? '/tmp' : tmpdir(), 'labbook-unreadable-'));
    try {
      chmodSync(open, 0o755);
      const locked = join(open, 'locked.db');
      copyFileSync(registry, locked);
      chmodSync(locked, 0o000);
      for (const line of await everyCommandRefuses(locked, asRoot ? { uid: 65534 } : {})) {
        expect(line).toBe(`labbook: Cannot open the registry ${locked}: expected a file and folder this user can read and write, received EACCES on the file. Fix the permissions (chmod u+rw), or copy the registry somewhere writable and point --db at the copy.`);
      }
    } finally {
      rmSync(open, { recursive: true, force: true });
    }
  });

  it.skipIf(!asRoot)('a registry in a folder this user may not enter (as nobody; skipped unless root)', async () => {
    const hidden = join(dir, 'hidden');
    mkdirSync(hidden, { mode: 0o700 });
    const db = join(hidden, 'registry.db');
    copyFileSync(registry, db);
    for (const line of await everyCommandRefuses(db, { uid: 65534 })) {
      expect(line).toMatch(/^labbook: Cannot open the registry .*: expected folders this user can enter on the way to it, received EACCES for /);
    }
  });

  it('a path whose folder is a file', async () => {
    const blocker = join(dir, 'plain-file');
    writeFileSync(blocker, 'not a folder');
    const db = join(blocker, 'registry.db');
    for (const line of await everyCommandRefuses(db)) {
      expect(line).toBe(`labbook: Cannot use the registry path ${db}: expected a folder at ${blocker}, received a file. Point --db / LABBOOK_DB at a path whose folders are folders.`);
    }
  });
});
