import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { searchRuns } from '../../kernel-lib/src/query';
import { openRegistry } from '../../kernel-lib/src/registry';
import { SCHEMA_VERSION } from '../../kernel-lib/src/registry/migrations';
import { CHILD, collect, runNode, tempDb, waitForLine } from '../helpers';
import { onBothStores, registryDb } from '../support/both-stores';

onBothStores();

describe('real processes sharing one registry', () => {
  it('keeps every point when 4 processes log into one database at once', async () => {
    const db = registryDb();
    openRegistry({ db }).close();
    const points = 3000;
    const results = await Promise.all([0, 1, 2, 3].map(() => runNode([CHILD, db, 'log', String(points)])));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const registry = openRegistry({ db });
    const ids = results.map((r) => Number(r.stdout.trim()));
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) {
      const run = registry.getRun(id);
      expect(run.status).toBe('finished');
      expect(run.metrics.loss.count).toBe(points);
      expect(registry.sql<{ n: number }>('SELECT count(*) AS n FROM metrics WHERE run_id = ?', id)[0].n).toBe(2 * points);
    }
    expect(registry.sql<{ n: number }>('SELECT count(*) AS n FROM metrics')[0].n).toBe(4 * 2 * points);
    registry.close();
  });

  it('opens a fresh database from 8 processes at once: one schema, every run recorded', async () => {
    const db = registryDb();
    const results = await Promise.all(Array.from({ length: 8 }, () => runNode([CHILD, db, 'open'])));
    for (const r of results) expect(r.stderr).toBe('');
    const raw = new Database(db, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 8 });
    raw.close();
  });

  it('detects a process killed with SIGKILL as crashed and keeps what it logged', async () => {
    const db = registryDb();
    const child = spawn(process.execPath, [CHILD, db, 'hang']);
    const done = collect(child);
    const id = Number((await waitForLine(child, 'ready')).split(' ')[1]);
    const watcher = openRegistry({ db }); // opened while the child lives: the crash is found by listing
    expect(searchRuns(watcher, {}).map((r) => r.status)).toEqual(['running']);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    expect(searchRuns(watcher, {}).map((r) => r.status)).toEqual(['crashed']);
    watcher.close();
    const registry = openRegistry({ db });
    const run = registry.getRun(id);
    expect(run.status).toBe('crashed');
    expect(run.error).toMatch(/stopped without ending the run/);
    expect(run.metrics.loss).toMatchObject({ count: 50, value: 49 });
    registry.close();
  });

  it('ends a run as killed on SIGTERM, and the process still dies of the signal', async () => {
    const db = registryDb();
    const child = spawn(process.execPath, [CHILD, db, 'hang']);
    const done = collect(child);
    const id = Number((await waitForLine(child, 'ready')).split(' ')[1]);
    child.kill('SIGTERM');
    expect((await done).signal).toBe('SIGTERM');
    const run = openRegistry({ db }).getRun(id);
    expect(run).toMatchObject({ status: 'killed', error: 'Received SIGTERM.' });
    expect(run.metrics.loss.count).toBe(50);
  });

  it('marks a run failed when the process dies of an uncaught error', async () => {
    const db = registryDb();
    const result = await runNode([CHILD, db, 'throw']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('boom from user code');
    const [run] = openRegistry({ db }).sql<{ status: string; error: string }>('SELECT status, error FROM runs');
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/Error: boom from user code\n\s+at /);
  });

  it('finishes a run whose script exits normally without ending it, writing buffered points', async () => {
    const db = registryDb();
    expect((await runNode([CHILD, db, 'exit'])).code).toBe(0);
    const registry = openRegistry({ db });
    const run = registry.getRun(1);
    expect(run.status).toBe('finished');
    expect(run.metrics.loss).toMatchObject({ count: 51, value: 99, step: 50 });
    registry.close();
  });
});

describe('schema versions', () => {
  it('refuses a database from a newer labbook and leaves the file untouched', () => {
    const db = tempDb(); // not a registry the team store could hold
    openRegistry({ db }).close();
    const raw = new Database(db);
    raw.pragma('journal_mode = DELETE'); // a single file, so its hash covers everything
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const before = createHash('sha256').update(readFileSync(db)).digest('hex');
    expect(() => openRegistry({ db })).toThrow(
      new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this labbook understands \\(${SCHEMA_VERSION}\\); it was left untouched`),
    );
    expect(createHash('sha256').update(readFileSync(db)).digest('hex')).toBe(before);
  });

  it('names a file that is not a registry, and a missing one when asked not to create', () => {
    const db = tempDb(); // not a registry the team store could hold
    writeFileSync(db, 'this is not sqlite, just text that is long enough to have a header page..........');
    expect(() => openRegistry({ db })).toThrow(/is not a labbook registry: expected an SQLite database/);
    expect(() => openRegistry({ db: `${db}.missing`, create: false })).toThrow(/No labbook registry at .*missing/);
  });

  it('migrates a fresh database to the current version with WAL and foreign keys', () => {
    const registry = openRegistry({ db: registryDb() });
    expect(registry.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(registry.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(registry.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = registry.sql<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['experiments', 'runs', 'params', 'metrics', 'metrics_latest', 'tags', 'checkpoints', 'artifacts', 'datasets']));
    registry.close();
  });
});
