/** A fresh team store for a test file: a database of its own with PG_MIGRATIONS applied (until team/migrate.ts lands). */
import pg from 'pg';
import { PG_MIGRATIONS } from '../../kernel-lib/src/team/schema';
import { createTestDatabase, type TestDatabase } from './postgres';

export async function createTeamStore(label: string): Promise<TestDatabase> {
  const db = await createTestDatabase(label);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    for (const sql of PG_MIGRATIONS) await client.query(sql);
  } finally {
    await client.end();
  }
  return db;
}

/** Runs one query against a database and closes the connection. */
export async function query<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}
