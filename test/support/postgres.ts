/** A real PostgreSQL database per test file, on the server `npm run setup` starts (LABBOOK_TEST_PG). */
import pg from 'pg';
import { dropDatabase } from '../../kernel-lib/src/bench/pg';

/** The role kernel-lib/scripts/postgres.sh makes: it may create databases and roles, nothing more. */
export const TEST_PG_URL = process.env.LABBOOK_TEST_PG ?? 'postgres://labbook_test:labbook_test@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** A connection URL to a new, empty database. */
  url: string;
  name: string;
  /** Drops the database (closing whatever is still connected to it). */
  drop(): Promise<void>;
}

let counter = 0;

/**
 * Creates an empty database for one test file. A server that cannot be reached fails the test
 * with the fix: tests never skip for want of PostgreSQL.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `lb_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${process.pid}_${++counter}`;
  await admin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  });
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => dropDatabase(TEST_PG_URL, name),
  };
}

async function admin<T>(action: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `Cannot reach the test PostgreSQL at ${TEST_PG_URL.replace(/:[^:@/]*@/, ':***@')}: ${(error as Error).message}. ` +
        'Run `bash kernel-lib/scripts/postgres.sh` as root (npm run setup does), or set LABBOOK_TEST_PG to a role that may CREATE DATABASE.',
    );
  }
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}
