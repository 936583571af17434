/** What the CLI's read commands need to run on the team store: which URL, an open store, a listing's cells. */
import { LabbookError } from '../errors';
import { type ListColumn, sqlColumns } from '../query/columns';
import { columnsError } from '../query/error';
import type { FieldRef } from '../query/fields';
import { pgField } from '../query/postgres';
import { numberPlaceholders } from '../query/postgres';
import type { RunSummary } from '../query/search';
import type { Cell } from '../query/table';
import type { TeamStore } from '../team/connect';
import { checkTeamKeys } from '../team/keys';
import { isPostgresUrl, redactUrl } from '../team/url';

/** The team store's URL when --db (else LABBOOK_DB) names one; undefined for a SQLite registry. */
export function teamUrl(db: string | undefined): string | undefined {
  const chosen = db ?? process.env.LABBOOK_DB;
  return isPostgresUrl(chosen) ? chosen.trim() : undefined;
}

/** How a command that works on the team store takes --db. */
export interface TeamUrlRules {
  /** The command's usage, when its local registry is --local: a --db that is not a postgres:// URL is then a mistake. */
  strict?: string;
  /** The team store is required: the error's text, given what --db held (`neither` when nothing). */
  missing?: (received: string) => string;
}

/** The team store's URL as teamUrl picks it, with the command's rules: the one picker of sync, status, worker and sweep. */
export function teamUrlFrom(db: string | undefined, rules: TeamUrlRules & { missing: (received: string) => string }): string;
export function teamUrlFrom(db: string | undefined, rules: TeamUrlRules): string | undefined;
export function teamUrlFrom(db: string | undefined, rules: TeamUrlRules): string | undefined {
  if (rules.strict !== undefined && db !== undefined && !isPostgresUrl(db)) {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`--db\`: expected the team store's postgres:// URL, received ${JSON.stringify(redactUrl(db))}. The local registry is --local PATH. Usage: ${rules.strict}`);
  }
  const url = teamUrl(db);
  if (url === undefined && rules.missing) throw new LabbookError('INVALID_ARGUMENT', rules.missing(db === undefined ? 'neither' : JSON.stringify(db)));
  return url;
}

/** Opens the team store for one command and closes it afterwards; `pg` loads only here. */
export async function withTeamStore<T>(url: string, body: (store: TeamStore) => Promise<T>): Promise<T> {
  const { openTeamStore } = require('../team/connect') as typeof import('../team/connect');
  const store = await openTeamStore(url, { max: 2 });
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

/** A command that works on the local registry only, given a team store URL: the fix names the local one. */
export function localOnly(command: string, db: string | undefined, alternative: string): void {
  if (teamUrl(db) === undefined) return;
  throw new LabbookError(
    'INVALID_ARGUMENT',
    `\`labbook ${command}\` works on a local registry only: expected --db PATH to a SQLite registry, received a PostgreSQL URL (the team store). ${alternative}`,
  );
}

/** `labbook runs --columns` on the team store: unknown keys are errors with a suggestion, as on SQLite. */
export async function checkTeamColumns(store: TeamStore, columns: readonly { column: ListColumn; pos: number }[], experiment: string | undefined): Promise<void> {
  const scope = experiment === undefined ? undefined : (await store.query<{ id: number }>('SELECT id FROM experiments WHERE name = $1', [experiment]))[0]?.id;
  const fields = columns.flatMap(({ column, pos }) => (column.kind === 'duration' ? [] : [{ field: column, pos, values: [] }]));
  await checkTeamKeys(store, fields, scope, columnsError);
}

/**
 * Reads the cells a listing takes from the database (a metric's min or max, hashes, parent) for
 * every column it may show, so the synchronous table code can pick whichever columns fit.
 */
export async function prefetchTeamCells(store: TeamStore, found: readonly RunSummary[], columns: readonly ListColumn[]) {
  const fields = sqlColumns(columns);
  const byLabel = new Map<string, Map<number, Cell>>();
  if (fields.length > 0 && found.length > 0) {
    const params: unknown[] = [];
    const exprs = fields.map((f) => pgField(f, 'r', params));
    params.push(found.map((s) => s.id));
    const sql = numberPlaceholders(`SELECT r.id, ${exprs.map((e, i) => `${e} AS c${i}`).join(', ')} FROM runs r WHERE r.id = ANY(?::bigint[])`);
    for (const row of await store.query<{ id: number; [c: string]: Cell }>(sql, params)) {
      fields.forEach((f, i) => {
        if (!byLabel.has(f.text)) byLabel.set(f.text, new Map());
        byLabel.get(f.text)!.set(row.id, row[`c${i}`]);
      });
    }
  }
  return (shown: ListColumn[]) => {
    const wanted = sqlColumns(shown);
    return { rows: new Map(found.map((s) => [s.id, wanted.map((f: FieldRef) => byLabel.get(f.text)?.get(s.id) ?? null)])) };
  };
}
