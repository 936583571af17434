/** Read-only SQL against a registry file: a separate connection that cannot write, for `registry.sql` and `labbook sql`. */
import Database from 'better-sqlite3';
import { LabbookError } from '../errors';

/**
 * Runs one query on its own connection, opened read-only with `query_only` on, and refuses before
 * running anything that would write: SQLite says so through `stmt.readonly`, which catches
 * `DELETE ... RETURNING` and `PRAGMA journal_mode = DELETE` that do return rows. A statement that
 * returns no rows (ATTACH, VACUUM INTO, PRAGMA x = y, BEGIN) could only change the connection or a
 * file, so it is refused too. The connection is closed afterwards, so a pragma such as
 * `locking_mode = EXCLUSIVE` cannot outlive the query.
 */
export function readOnlyQuery<T>(source: string | Database.Database, query: string, params: unknown[], caller: string): T[] {
  if (typeof query !== 'string') {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid query for ${caller}: expected an SQL string, received ${typeof query}. Pass one SELECT statement.`);
  }
  // A registry opened without a shared index (its disk full or read-only, see database.ts) admits
  // no second connection: its own is used, with query_only on for the call.
  const own = typeof source !== 'string';
  const db = own ? source : new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('query_only = ON');
    let statement: Database.Statement;
    try {
      statement = db.prepare(query);
    } catch (error) {
      if (/more than one statement/.test((error as Error).message)) {
        throw new LabbookError('INVALID_ARGUMENT', `Invalid query for ${caller}: expected one statement, received several (${quote(query)}); none was run. Run them one at a time.`);
      }
      throw error;
    }
    if (!statement.readonly) throw readOnlyError(caller, query, 'a statement that writes');
    if (!statement.reader) throw readOnlyError(caller, query, 'a statement that returns no rows, so could only change the connection or a file');
    try {
      return statement.all(...params) as T[];
    } catch (error) {
      // The connection itself refusing is the same mistake, caught one layer lower.
      if (String((error as { code?: string }).code).startsWith('SQLITE_READONLY')) throw readOnlyError(caller, query, 'a statement that writes');
      throw error;
    }
  } finally {
    if (own) db.pragma('query_only = OFF');
    else db.close();
  }
}

function readOnlyError(caller: string, query: string, received: string): LabbookError {
  return new LabbookError(
    'READ_ONLY',
    `${caller} is read-only: expected a statement that returns rows without writing (SELECT, WITH ... SELECT, a PRAGMA that reads), received ${received}: ${quote(query)}. Change the registry through the API (run.log, registry.deleteRun) or \`labbook delete ID\`.`,
  );
}

/** The query on one line, shortened: the error stays one readable line. */
function quote(query: string): string {
  const line = query.replace(/\s+/g, ' ').trim();
  return `\`${line.length > 80 ? `${line.slice(0, 77)}...` : line}\``;
}
