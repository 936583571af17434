/** The team store's URL as sync uses it: checked, redacted for printing, named by a hash, opened as a pool. */
import pg from 'pg';
import { LabbookError } from '../../errors';
import { sha256 } from '../../repro/hash';

/** Whether a --db / LABBOOK_DB value names a PostgreSQL team store rather than a local file. */
export function isTeamUrl(value: string | undefined): value is string {
  return value !== undefined && /^postgres(ql)?:\/\//i.test(value);
}

function parse(url: string): URL {
  let parsed: URL | null = null;
  try {
    parsed = isTeamUrl(url) ? new URL(url) : null;
  } catch {
    parsed = null;
  }
  if (!parsed) {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid team store URL ${JSON.stringify(redactUrl(url))}: expected postgres://USER:PASSWORD@HOST:PORT/DATABASE. Pass it with --db or LABBOOK_DB.`);
  }
  return parsed;
}

/** The URL with its password (and any password= query parameter) replaced by ***: safe to print. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@').replace(/([?&]password=)[^&]*/gi, '$1***');
}

/**
 * The team's name in sync_state: a hash of host, port and database only, so that a changed
 * password or user keeps the cursor, and nothing secret is stored in the local registry.
 */
export function teamKey(url: string): string {
  const u = parse(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
  return sha256(`${u.hostname.toLowerCase()}:${u.port || '5432'}/${database}`).slice(0, 32);
}

/** A pool for one sync: failures surface as query errors (an outage), never as an unhandled 'error' event. */
export function openPool(url: string, max = 2): pg.Pool {
  parse(url);
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000, keepAlive: true });
  // An idle client whose connection drops emits 'error' on the pool; unhandled, it would kill the process.
  pool.on('error', () => undefined);
  return pool;
}
