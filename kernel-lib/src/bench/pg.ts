/** A scratch PostgreSQL database for one benchmark: made fresh on the server LABBOOK_TEST_PG names, dropped afterwards. */
import pg from 'pg';

/** The role kernel-lib/scripts/postgres.sh makes (it may CREATE DATABASE); LABBOOK_TEST_PG points elsewhere. */
export const BENCH_PG = 'postgres://labbook_test:labbook_test@127.0.0.1:5432/postgres';

/** Runs `body` with the URL of a new, empty database `lb_bench_<label>_<pid>`, and drops it whatever happens. */
export async function withScratchDatabase<T>(label: string, body: (url: string) => Promise<T>, admin = process.env.LABBOOK_TEST_PG ?? BENCH_PG): Promise<T> {
  const name = `lb_bench_${label}_${process.pid}`;
  await adminQuery(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await adminQuery(admin, `CREATE DATABASE "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  try {
    return await body(url.toString());
  } finally {
    await dropDatabase(admin, name);
  }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * FORCE cannot end an autovacuum worker (the server's own) still analysing the fresh tables when
 * the role is not a superuser (42501): it leaves soon, so wait it out. The tests' databases drop the same way.
 */
export async function dropDatabase(admin: string, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await adminQuery(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } catch (error) {
      if ((error as { code?: string }).code !== '42501' || attempt === 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
