/** Least-privilege roles for the team store, as SQL the README shows and a test runs: workers/sync, and read-only analysts. */

/** What workers and sync write: run data, objects, the sweep queue. labbook_schema is only read by them. */
export const WRITTEN_TABLES = ['experiments', 'runs', 'params', 'metrics', 'metrics_latest', 'tags', 'checkpoints', 'artifacts', 'datasets', 'objects', 'sweeps', 'trials'] as const;
/** The sequences behind BIGSERIAL ids that an INSERT draws from. */
export const SEQUENCES = ['experiments_id_seq', 'runs_id_seq', 'sweeps_id_seq'] as const;

export type TeamRole = 'worker' | 'reader';

/** `"name"`: an identifier quoted for PostgreSQL, whatever it holds. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * The statements that create `role` in `database` (run them as the owner, after the schema
 * exists). A worker may CONNECT, use the schema, SELECT/INSERT/UPDATE the tables it writes and
 * draw ids from their sequences; DELETE on tags only, because tags are mutable and sync mirrors a
 * tag removed locally (push.ts pushTags); no other DELETE, no DROP, no CREATE (the owner migrates). A reader may
 * only SELECT. Without `password` the role cannot log in until one is set (psql: \password ROLE),
 * which keeps passwords out of scripts and shell history.
 */
export function teamRoleSql(kind: TeamRole, role: string, database: string, password?: string): string[] {
  const r = quoteIdent(role);
  const tables = [...WRITTEN_TABLES, 'labbook_schema'].join(', ');
  const common = [
    `CREATE ROLE ${r} LOGIN${password === undefined ? '' : ` PASSWORD ${quoteLiteral(password)}`}`,
    `GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${r}`,
    `GRANT USAGE ON SCHEMA public TO ${r}`,
  ];
  if (kind === 'reader') return [...common, `GRANT SELECT ON ${tables} TO ${r}`];
  return [
    ...common,
    `GRANT SELECT, INSERT, UPDATE ON ${WRITTEN_TABLES.join(', ')} TO ${r}`,
    `GRANT DELETE ON tags TO ${r}`,
    `GRANT SELECT ON labbook_schema TO ${r}`,
    `GRANT USAGE ON SEQUENCE ${SEQUENCES.join(', ')} TO ${r}`,
  ];
}
