/** The team store's schema version: PG_MIGRATIONS applied in order, once, however many workers open it at once. */
import { LabbookError } from '../errors';
import type { TeamStore } from './connect';
import { PG_MIGRATIONS } from './schema';

/** Any fixed 64-bit key, the same in every labbook process: the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 0x6c6162626f6f6b; // 'labbook'

/**
 * Brings the database to PG_MIGRATIONS.length. A database already there is only read (so a
 * read-only role can open it). Otherwise one transaction takes pg_advisory_xact_lock, re-reads the
 * version and applies what is missing: concurrent openers wait, then find nothing left to do. A
 * newer database (from a newer labbook) is refused untouched.
 */
export async function migrateTeamStore(store: TeamStore, migrations: readonly string[] = PG_MIGRATIONS): Promise<number> {
  const current = await readVersion(store);
  if (current !== null) {
    checkNotNewer(current, migrations.length, store.url);
    if (current === migrations.length) return current;
  }
  const client = await store.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS labbook_schema (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM labbook_schema');
    const version = rows[0].v ?? 0;
    checkNotNewer(version, migrations.length, store.url);
    for (let n = version + 1; n <= migrations.length; n++) {
      await client.query(migrations[n - 1]);
      await client.query('INSERT INTO labbook_schema (version, applied_at) VALUES ($1, $2)', [n, Date.now()]);
    }
    await client.query('COMMIT');
    return migrations.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The version recorded, or null for a database labbook has not set up yet. */
export async function readVersion(store: TeamStore): Promise<number | null> {
  const [{ exists }] = await store.query<{ exists: boolean }>("SELECT to_regclass('labbook_schema') IS NOT NULL AS exists");
  if (!exists) return null;
  const [{ v }] = await store.query<{ v: number | null }>('SELECT max(version) AS v FROM labbook_schema');
  return v ?? 0;
}

function checkNotNewer(version: number, known: number, url: string): void {
  if (version > known) {
    throw new LabbookError(
      'SCHEMA_TOO_NEW',
      `Team store ${url} has schema version ${version}: expected ${known} or older, received ${version} (written by a newer labbook). Upgrade labbook on this machine; the database was left untouched.`,
    );
  }
}
