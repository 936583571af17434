// `labbook sql` and registry.sql() never change the registry: every kind of write is refused and the file stays byte-identical.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import { openRegistry } from '../../kernel-lib/src/registry';
import { runCli } from '../helpers';

let dir: string;
let db: string;
let before: { bytes: Buffer; files: string[]; rows: unknown };

/** Every row of every table, read through a connection that cannot write. */
function dump(): unknown {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const tables = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    return Object.fromEntries(tables.map((t) => [t, conn.prepare(`SELECT * FROM "${t}"`).all()]));
  } finally {
    conn.close();
  }
}

function journalMode(): string {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return conn.pragma('journal_mode', { simple: true }) as string;
  } finally {
    conn.close();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'labbook-sql-'));
  db = join(dir, 'registry.db');
  const registry = openRegistry({ db });
  for (const seed of [1, 2]) {
    const run = registry.startRun({ experiment: 'sql-demo', config: { lr: 0.1 }, seed, tags: { team: 'a' } });
    run.log({ loss: 1 / seed });
    run.end('finished');
  }
  registry.close();
  before = { bytes: readFileSync(db), files: readdirSync(dir).sort(), rows: dump() };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectUnchanged(): void {
  expect(readdirSync(dir).sort()).toEqual(before.files);
  expect(readFileSync(db).equals(before.bytes)).toBe(true);
  expect(dump()).toEqual(before.rows);
  expect(journalMode()).toBe('wal');
}

describe('labbook sql is read-only', () => {
  it('answers reads: SELECT, WITH, and pragmas that only read', async () => {
    const result = await runCli(['sql', "WITH t AS (SELECT run_id, value FROM tags WHERE key = 'team') SELECT count(*) AS n FROM t", '--json', '--db', db]);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([{ n: 2 }]);
    const info = await runCli(['sql', 'PRAGMA table_info(runs)', '--json', '--db', db]);
    expect(info.code).toBe(0);
    expect((JSON.parse(info.stdout) as { name: string }[]).map((c) => c.name)).toContain('seed');
    expectUnchanged();
  });

  it.each([
    ['DELETE FROM runs RETURNING id'],
    ["UPDATE runs SET name = 'x' RETURNING id"],
    ["INSERT INTO tags (run_id, key, value) VALUES (1, 'k', 'v') RETURNING run_id"],
    ['PRAGMA journal_mode = DELETE'],
    ['PRAGMA user_version = 99'],
    ['DELETE FROM metrics'],
    ['DROP TABLE tags'],
    ['CREATE TEMP TABLE scratch (x)'],
  ])('refuses %j with one line and exit 2, leaving the database as it was', async (query) => {
    const result = await runCli(['sql', query, '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^labbook: labbook sql is read-only: expected a statement that returns rows without writing .*received a statement that writes.*labbook delete/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expectUnchanged();
  });

  it.each([
    ["ATTACH DATABASE 'OTHER' AS other"],
    ["VACUUM INTO 'COPY'"],
    ['PRAGMA writable_schema = ON'],
    ['PRAGMA query_only = OFF'],
  ])('refuses %j and creates no file', async (template) => {
    const query = template.replace('OTHER', join(dir, 'other.db')).replace('COPY', join(dir, 'copy.db'));
    const result = await runCli(['sql', query, '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^labbook: labbook sql is read-only: /);
    expect(existsSync(join(dir, 'other.db'))).toBe(false);
    expect(existsSync(join(dir, 'copy.db'))).toBe(false);
    expectUnchanged();
  });

  it('refuses several statements in one string, running none of them', async () => {
    const result = await runCli(['sql', 'SELECT 1; DELETE FROM runs', '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/one statement/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expectUnchanged();
  });

  it('registry.sql refuses a write that returns rows with code READ_ONLY, and keeps the rows', () => {
    const registry = openRegistry({ db, create: false });
    try {
      expect(registry.sql<{ n: number }>('SELECT count(*) AS n FROM runs WHERE seed = ?', 2)).toEqual([{ n: 1 }]);
      let error: unknown;
      try {
        registry.sql('DELETE FROM runs WHERE seed = ? RETURNING id', 2);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LabbookError);
      expect(error).toMatchObject({ code: 'READ_ONLY', message: expect.stringMatching(/registry\.sql is read-only: .*received a statement that writes/) });
      expect(registry.sql('SELECT id FROM runs ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    } finally {
      registry.close();
    }
    expectUnchanged();
  });
});
