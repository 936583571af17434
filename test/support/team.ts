/** A fresh team store for a test file: a database of its own, migrated as labbook migrates one (openTeamStore). */
import pg from 'pg';
import { openTeamStore } from '../../kernel-lib/src/team/connect';
import { createTestDatabase, type TestDatabase } from './postgres';

export async function createTeamStore(label: string): Promise<TestDatabase> {
  const db = await createTestDatabase(label);
  const store = await openTeamStore(db.url, { max: 1 });
  await store.close();
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
