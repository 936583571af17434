/** `labbook sql QUERY`: a read-only SQL query against the documented schema. */
import { LabbookError } from '../../errors';
import { isSoleConnection } from '../../registry/database';
import { explainDatabaseError } from '../../registry/file';
import { readOnlyQuery } from '../../registry/readonly';
import { parse } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';
import { table } from '../format';
import { localOnly } from '../team-store';

const usage = 'labbook sql "SELECT ..." [--db PATH] [--json]';

export const sql: Command = {
  name: 'sql',
  summary: 'run a read-only SQL query against the registry schema',
  usage,
  run(argv) {
    const { values, positionals } = parse(argv, {}, usage, { name: 'quoted query', plural: 'quoted queries', min: 1, max: 1 });
    if (positionals.length !== 1) {
      throw new LabbookError('INVALID_ARGUMENT', `Invalid arguments for sql: expected one quoted query, received ${positionals.length}. Usage: ${usage}`);
    }
    localOnly('sql', values.db, 'Query the team store with psql as a read-only role (see "Team registry (PostgreSQL)" in the README), or query a local registry: --db .labbook/labbook.db (or LABBOOK_LOCAL_DB).');
    return withRegistry(values.db, (registry) => {
      let rows: Record<string, unknown>[];
      try {
        // Its own read-only connection, so the refusal names the command the user typed (the
        // registry's, when its disk is full or read-only and it admits no other).
        rows = readOnlyQuery(isSoleConnection(registry.db) ? registry.db : registry.path, positionals[0], [], 'labbook sql');
      } catch (error) {
        // A LabbookError, or a damaged file (said as such by withRegistry), is not the query's fault.
        if (error instanceof LabbookError || explainDatabaseError(error, registry.path) !== error) throw error;
        // SQLite's own message names the problem (no such column, syntax error near ...).
        throw new LabbookError('INVALID_ARGUMENT', `Invalid SQL: ${(error as Error).message}. See the schema in the README.`);
      }
      if (values.json) printJson(rows);
      else if (rows.length === 0) print('(no rows)');
      else print(table(Object.keys(rows[0]), rows.map((r) => Object.values(r) as (string | number | null)[])));
      return 0;
    });
  },
};
