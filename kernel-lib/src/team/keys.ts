/** query/known.ts's key checks (typos, type mismatches) over what the team store has recorded. */
import type { FieldUse, KeyTable } from '../query/known';
import { checkTypes, TABLES, unknownKeyError } from '../query/known';
import type { ErrorFactory } from '../query/lexer';
import type { TeamStore } from './connect';

/**
 * Same rules as checkFieldKeys on SQLite: each used key must have been recorded by some run in
 * scope; a config key recorded only as numbers (or only as text) must not be compared with the
 * other kind. Probes stop at their first row; the full key list is read only to word an error.
 */
export async function checkTeamKeys(store: TeamStore, uses: readonly FieldUse[], experimentId: number | undefined, fail: ErrorFactory): Promise<void> {
  const keyed = uses.filter((u) => u.field.kind !== 'column');
  if (keyed.length === 0) return;
  const scope = experimentId === undefined ? '' : 'JOIN runs r ON r.id = t.run_id AND r.experiment_id = $2';
  const scoped = experimentId === undefined ? [] : [experimentId];
  const hasRuns = await store.query(`SELECT 1 FROM runs${experimentId === undefined ? '' : ' WHERE experiment_id = $1'} LIMIT 1`, scoped);
  if (hasRuns.length === 0) return;
  for (const { field, pos, values } of keyed) {
    if (field.kind === 'column') continue;
    const table: KeyTable = TABLES[field.kind];
    // Every probe in one round trip, each stopping at its first row. Unscoped, ORDER BY the (key, value)
    // index's column keeps the planner on that index: as a bare EXISTS it chose a sequential scan
    // expecting an early hit, and read all 2,000,000 params rows (0.4 s) for a key with no number.
    const typed = table === 'params' && values.some((v) => typeof v.value === 'string' || typeof v.value === 'number');
    const probe = (extra: string, column = table === 'params' ? 'num' : 'value') =>
      scope ? `EXISTS (SELECT 1 FROM ${table} t ${scope} WHERE t.key = $1${extra})` : `(SELECT 1 FROM ${table} t WHERE t.key = $1${extra} ORDER BY t.${column} LIMIT 1) IS NOT NULL`;
    const probes = [probe(''), ...(typed ? [probe(' AND t.text IS NOT NULL', 'text'), probe(' AND t.num IS NOT NULL')] : [])];
    const [found] = await store.query<{ [p: string]: boolean }>(`SELECT ${probes.map((p, i) => `${p} AS p${i}`).join(', ')}`, [field.key, ...scoped]);
    if (!found.p0) {
      const known = (await store.query<{ key: string }>(`SELECT DISTINCT t.key COLLATE "C" AS key FROM ${table} t ${scope.replace('$2', '$1')} ORDER BY 1`, scoped)).map((r) => r.key);
      throw unknownKeyError(known, table, field, pos, scope !== '', fail);
    }
    if (typed) {
      // p1: some run holds text for the key, p2: some run a number; neither (only nulls) says nothing.
      const kind = found.p1 === found.p2 ? null : found.p2 ? 'number' : 'string';
      if (kind) checkTypes(field, kind, values, fail);
    }
  }
}
