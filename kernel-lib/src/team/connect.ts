/** Opening the team store: a small pg Pool on a PostgreSQL URL, with errors that name the fix and never the password. */
import type { Pool, PoolConfig, QueryResultRow } from 'pg';
import { invalidArgument, LabbookError } from '../errors';
import { migrateTeamStore } from './migrate';
import { quoteIdent, SEQUENCES, WRITTEN_TABLES } from './roles';
import { isPostgresUrl, redactUrl } from './url';

export { isPostgresUrl, redactUrl } from './url';

export interface TeamStoreOptions {
  /** Connections in the pool; a CLI command or a worker needs few. Default 4. */
  max?: number;
  /** Statements running longer are cancelled by the server. Default 30,000 ms. */
  statementTimeoutMs?: number;
  /** Bring the schema up to date (or refuse a newer one) before returning. Default true. */
  migrate?: boolean;
}

export interface TeamStore {
  /** The URL with its password shown as `***`: safe for messages. */
  readonly url: string;
  readonly pool: Pool;
  query<T extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Connects to the team store at `url` and (by default) migrates it. `pg` is required here and only
 * here, so commands on a SQLite registry never load it.
 */
export async function openTeamStore(url: string, options: TeamStoreOptions = {}): Promise<TeamStore> {
  if (!isPostgresUrl(url)) throw invalidArgument('url', 'a PostgreSQL URL such as postgres://user@host:5432/labbook', redactUrl(String(url)));
  const max = options.max ?? 4;
  const timeout = options.statementTimeoutMs ?? 30_000;
  if (!Number.isSafeInteger(max) || max < 1) throw invalidArgument('options.max', 'a positive integer', max);
  if (!Number.isSafeInteger(timeout) || timeout < 1) throw invalidArgument('options.statementTimeoutMs', 'a positive integer (milliseconds)', timeout);
  const pg = require('pg') as typeof import('pg');
  const config: PoolConfig = {
    connectionString: url,
    max,
    application_name: 'labbook',
    statement_timeout: timeout,
    // JIT compiles for long analytic scans; for a listing's correlated lookups it cost 0.4 s of every query.
    options: '-c jit=off',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 10_000,
    // BIGINT ids and millisecond times fit a double exactly; pg would return them as strings.
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format as 'text'))) as never },
  };
  const pool = new pg.Pool(config);
  // An idle client that loses its server emits here; without a listener that would crash the process.
  pool.on('error', () => undefined);
  const shown = redactUrl(url);
  const store: TeamStore = {
    url: shown,
    pool,
    async query<T extends QueryResultRow>(sql: string, params: unknown[] = []) {
      try {
        return (await pool.query<T>(sql, params)).rows;
      } catch (error) {
        throw explainTeamError(error, shown, sql);
      }
    },
    close: () => pool.end(),
  };
  try {
    const client = await pool.connect();
    client.release();
    if (options.migrate ?? true) await migrateTeamStore(store);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw explainTeamError(error, shown);
  }
  return store;
}

/**
 * A driver error as one line with the fix. Server and network failures keep their own words
 * (redacted: a URL in them loses its password); anything else passes through unchanged.
 */
export function explainTeamError(error: unknown, url: string, statement?: string): unknown {
  if (error instanceof LabbookError) return error;
  const e = error as { code?: string; message?: string };
  const said = redactUrl(String(e?.message ?? error));
  const fail = (what: string, expected: string, fix: string) => new LabbookError('TEAM_STORE', `${what} at ${url}: expected ${expected}, received "${said}". ${fix}`);
  switch (e?.code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case '57P01':
    case '57P03':
      return fail('Cannot reach the team store', 'a PostgreSQL server accepting connections', 'Check the host and port in LABBOOK_DB (or --db) and that the server is running; runs are still recorded locally and sync later.');
    case '28P01':
    case '28000':
      return fail('The team store refused the login', 'a role and password it accepts', 'Check the user in the URL and the password (in the URL or PGPASSWORD, never in a config), or ask the database owner for a role (see "Team registry (PostgreSQL)" in the README).');
    case '3D000':
      return fail('The team store has no such database', 'an existing database', 'Create it (createdb NAME, as a role with CREATEDB) or fix the database name at the end of the URL.');
    case '42501':
      return refused(said, url, statement, fail);
    case '57014':
      return fail('A team store query ran past the statement timeout', 'an answer within statementTimeoutMs', 'Narrow the filter (--where, --experiment, --limit), or raise statementTimeoutMs.');
  }
  if (typeof e?.message === 'string' && /timeout expired|Connection terminated/i.test(e.message)) {
    return fail('Cannot reach the team store', 'a PostgreSQL server answering within 10 s', 'Check the host and port in LABBOOK_DB (or --db) and the network.');
  }
  if (error instanceof Error && said !== error.message) error.message = said;
  return error;
}

/**
 * A permission failure (42501) is no outage: it names the privilege missing (the statement's, when
 * known; else what the worker role holds there), the table, the role, and the GRANT or README role
 * SQL that fixes it, so nobody waits for a server that is up.
 */
function refused(said: string, url: string, statement: string | undefined, fail: (what: string, expected: string, fix: string) => Error): Error {
  const object = /permission denied for (table|sequence|schema|database) ("[^"]+"|\S+)/i.exec(said);
  let role = 'ROLE';
  try {
    role = quoteIdent(decodeURIComponent(new URL(url).username) || 'ROLE');
  } catch {
    // A URL the parser rejects still names the failure; the GRANT shows a placeholder role.
  }
  const readme = 'the README\'s role SQL ("Team registry (PostgreSQL)"; teamRoleSql in kernel-lib/src/team/roles.ts) makes labbook_worker for sync and workers, labbook_reader for reading';
  if (!object) return fail('The team store refused a statement', 'a role granted the rights this command uses', `Use a role with those rights: ${readme}.`);
  const [, kind, name] = object;
  const verb = /^\s*(SELECT|INSERT|UPDATE|DELETE|COPY)\b/i.exec(statement ?? '')?.[1].toUpperCase();
  const workerHas = (WRITTEN_TABLES as readonly string[]).includes(name) ? `SELECT, INSERT, UPDATE${name === 'tags' ? ', DELETE' : ''}` : name === 'labbook_schema' ? 'SELECT' : undefined;
  const privilege = kind.toLowerCase() === 'sequence' && (SEQUENCES as readonly string[]).includes(name) ? 'USAGE'
    : verb === 'COPY' ? 'INSERT' : (verb ?? workerHas ?? 'the privilege this command uses');
  const grant = /^(table|sequence)$/i.test(kind) && /^[A-Z, ]+$/.test(privilege) ? ` or, as the database owner, \`GRANT ${privilege} ON ${kind.toUpperCase() === 'SEQUENCE' ? 'SEQUENCE ' : ''}${name} TO ${role}\`` : '';
  return fail('The team store refused a statement', `role ${role} to hold ${privilege} on ${kind.toLowerCase()} ${name}${verb ? '' : ' (what sync and workers use there)'}`, `Use a role that has it (${readme})${grant}. Running the command again changes nothing until then.`);
}
