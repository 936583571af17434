/** The team store's migrations: a fresh database, four processes opening it at once, a newer one refused. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openTeamStore } from '../../kernel-lib/src/team/connect';
import { PG_SCHEMA_VERSION } from '../../kernel-lib/src/team/schema';
import { ROOT, runNode, tempDir } from '../helpers';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const made: TestDatabase[] = [];
afterAll(async () => {
  for (const d of made) await d.drop();
});

async function fresh(label: string): Promise<TestDatabase> {
  const d = await createTestDatabase(label);
  made.push(d);
  return d;
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  it('brings a fresh database to the current version, and opening again changes nothing', async () => {
    const d = await fresh('migrate_fresh');
    const store = await openTeamStore(d.url);
    await store.close();
    const again = await openTeamStore(d.url);
    await again.close();
    const versions = await sql<{ version: number }>(d.url, 'SELECT version FROM labbook_schema ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1));
    const tables = await sql<{ t: string }>(d.url, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    expect(tables.map((t) => t.t)).toEqual(expect.arrayContaining(['runs', 'params', 'metrics_latest', 'objects', 'trials', 'labbook_schema']));
  });

  it('applies each migration exactly once when four processes open a fresh database at once', async () => {
    const d = await fresh('migrate_race');
    // Real processes, each with its own connection, released together so their opens overlap.
    const script = join(tempDir('labbook-migrate-'), 'open.js');
    writeFileSync(
      script,
      `require(${JSON.stringify(join(ROOT, 'kernel-lib', 'dist', 'team', 'connect.js'))}).openTeamStore(process.argv[2])
        .then((s) => s.close()).then(() => process.stdout.write('ok'), (e) => { process.stdout.write('fail: ' + e.message); process.exitCode = 1; });`,
    );
    const results = await Promise.all([1, 2, 3, 4].map(() => runNode([script, d.url])));
    expect(results.map((r) => r.stdout)).toEqual(['ok', 'ok', 'ok', 'ok']);
    const versions = await sql<{ version: number }>(d.url, 'SELECT version FROM labbook_schema ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it('refuses a database of a newer labbook, and leaves it untouched', async () => {
    const d = await fresh('migrate_newer');
    await sql(d.url, `CREATE TABLE labbook_schema (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL); INSERT INTO labbook_schema VALUES (${PG_SCHEMA_VERSION + 1}, 0)`);
    const attempt = openTeamStore(d.url.replace('labbook_test@', 'labbook_test@'));
    await expect(attempt).rejects.toThrow(
      new RegExp(`^Team store postgres://labbook_test:\\*\\*\\*@.* has schema version ${PG_SCHEMA_VERSION + 1}: expected ${PG_SCHEMA_VERSION} or older, received ${PG_SCHEMA_VERSION + 1} \\(written by a newer labbook\\)\\. Upgrade labbook`),
    );
    const tables = await sql<{ t: string }>(d.url, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'");
    expect(tables.map((t) => t.t)).toEqual(['labbook_schema']);
  });
});
