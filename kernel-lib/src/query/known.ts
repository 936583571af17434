/** Checks a parsed filter or sort against the keys a registry has recorded (typos, type mismatches). */
import type { Db } from '../registry/database';
import { closestName } from '../suggest';
import { filterError } from './error';
import type { FieldRef } from './fields';
import type { ErrorFactory } from './lexer';
import type { FilterNode, Literal } from './parser';
import type { SortKey } from './sort';

/** Where a field was written and, for comparisons, the values it is compared with. */
export interface FieldUse {
  field: FieldRef;
  pos: number;
  values: Literal[];
}

export type KeyTable = 'params' | 'metrics_latest' | 'tags';
export const TABLES = { config: 'params', metric: 'metrics_latest', tag: 'tags' } as const;
const PREFIX = { params: 'config', metrics_latest: 'metrics', tags: 'tags' } as const;
/** How many known keys an error lists; the suggestion, when there is one, comes first. */
const LISTED = 8;

/**
 * A key that no run in scope (the experiment searched, else the registry) has ever recorded can
 * only be a typo: without this check `metrics.test_f1 > 0.4` selects nothing, silently. A scope
 * with no runs at all is not checked: there is nothing to compare with, and nothing to select.
 */
export function checkFilterKeys(db: Db, tree: FilterNode, experimentId: number | undefined): void {
  const uses: FieldUse[] = [];
  collect(tree, uses);
  checkFieldKeys(db, uses, experimentId, filterError);
}

export function checkSortKeys(db: Db, keys: readonly SortKey[], experimentId: number | undefined, fail: ErrorFactory): void {
  checkFieldKeys(db, keys.map((k) => ({ field: k.field, pos: k.pos, values: [] })), experimentId, fail);
}

/** Every field a filter names with where it was written and what it is compared with. */
export function filterUses(tree: FilterNode): FieldUse[] {
  const uses: FieldUse[] = [];
  collect(tree, uses);
  return uses;
}

/** Every field a filter names, in the order written. */
export function filterFields(tree: FilterNode): FieldRef[] {
  const uses: FieldUse[] = [];
  collect(tree, uses);
  return uses.map((u) => u.field);
}

function collect(node: FilterNode, out: FieldUse[]): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const operand of node.operands) collect(operand, out);
      return;
    case 'not':
      collect(node.operand, out);
      return;
    case 'compare':
      out.push({ field: node.field, pos: node.fieldPos, values: [node.value] });
      return;
    case 'in':
      out.push({ field: node.field, pos: node.fieldPos, values: node.values });
      return;
    default:
      out.push({ field: node.field, pos: node.fieldPos, values: [] });
  }
}

export function checkFieldKeys(db: Db, uses: readonly FieldUse[], experimentId: number | undefined, fail: ErrorFactory): void {
  const keyed = uses.filter((u) => u.field.kind !== 'column');
  if (keyed.length === 0) return;
  const scope = experimentId === undefined ? '' : 'JOIN runs r ON r.id = t.run_id AND r.experiment_id = ?';
  const scoped = experimentId === undefined ? [] : [experimentId];
  const hasRuns = db.prepare(`SELECT 1 FROM runs${experimentId === undefined ? '' : ' WHERE experiment_id = ?'} LIMIT 1`).get(...scoped);
  if (!hasRuns) return;
  for (const { field, pos, values } of keyed) {
    if (field.kind === 'column') continue;
    const table: KeyTable = TABLES[field.kind];
    // Each probe stops at its first row and reads only the (key, value) index where unscoped.
    const some = (extra: string) => db.prepare(`SELECT 1 FROM ${table} t ${scope} WHERE t.key = ?${extra} LIMIT 1`).get(...scoped, field.key) !== undefined;
    if (!some('')) throw unknownKey(db, table, field, pos, scope, scoped, fail);
    if (table === 'params' && values.some((v) => typeof v.value === 'string' || typeof v.value === 'number')) {
      // Booleans are stored as 1/0 and arrays as JSON text, so they count as numbers and text here.
      // A key that is null in every run is neither: no probe below would find a row, so check first.
      // The probes are ranges of the index, where numbers sort before text and text before blobs, so
      // one that finds nothing reads nothing (a typeof() test read every value of the key: 0.4 s at a million runs).
      const text = " AND t.value >= ''";
      const numberOrBlob = (): boolean => some(" AND t.value < ''") || some(" AND t.value >= x''");
      const kind = !some(' AND t.value IS NOT NULL') ? null : !some(text) ? 'number' : !numberOrBlob() ? 'string' : null;
      if (kind) checkTypes(field, kind, values, fail);
    }
  }
}

function unknownKey(db: Db, table: KeyTable, field: FieldRef, pos: number, scope: string, scoped: number[], fail: ErrorFactory) {
  const known = db.prepare(`SELECT DISTINCT t.key FROM ${table} t ${scope} ORDER BY t.key`).pluck().all(...scoped) as string[];
  return unknownKeyError(known, table, field, pos, scope !== '', fail);
}

/** The error for a key no run in scope recorded, given the keys that were (sorted); the team store's check shares it. */
export function unknownKeyError(known: readonly string[], table: KeyTable, field: FieldRef, pos: number, scope: boolean, fail: ErrorFactory) {
  const prefix = PREFIX[table];
  const key = field.kind === 'column' ? '' : field.key;
  const dot = key.lastIndexOf('.');
  // `metrics.loss.median`: the metric exists, the aggregate does not.
  if (field.kind === 'metric' && field.aggregate === 'value' && dot > 0 && known.includes(key.slice(0, dot))) {
    const base = `metrics.${key.slice(0, dot)}`;
    return fail(pos, `unknown aggregate \`${key.slice(dot + 1)}\` of \`${base}\``, `\`${base}\` (the latest value), \`${base}.min\` or \`${base}.max\``, `\`${field.text}\``);
  }
  const suffix0 = field.kind === 'metric' && field.aggregate !== 'value' ? field.aggregate : '';
  if (suffix0 && known.includes(`${key}.${suffix0}`)) {
    // A metric literally named `loss.min`: `.min` always means the aggregate unless quoted.
    return fail(pos, `unknown metric \`${key}\` (\`.${suffix0}\` is its aggregate)`, `\`metrics.\`${key}.${suffix0}\`\`, the metric named ${key}.${suffix0}`, `\`${field.text}\``, `Write the name in backticks: metrics.\`${key}.${suffix0}\`.`);
  }
  const guess = suggest(key, known);
  const suffix = suffix0 ? `.${suffix0}` : '';
  const listed = [...(guess ? [guess] : []), ...known.filter((k) => k !== guess)].slice(0, LISTED).map((k) => `\`${prefix}.${k}\``);
  const more = known.length > LISTED ? `, ... (${known.length} in all)` : '';
  const what = { params: 'config key', metrics_latest: 'metric', tags: 'tag' }[table];
  return fail(
    pos,
    `unknown ${what} \`${field.text}\`: no run${scope ? ' of this experiment' : ''} recorded it`,
    listed.length ? `one of ${listed.join(', ')}${more}` : `a ${what}, but no run recorded one`,
    undefined,
    guess ? `Did you mean \`${prefix}.${guess}${suffix}\`?` : undefined,
  );
}

/**
 * The closest known key: a near spelling (`tset_f1`), else the one key that holds every word of
 * the typed one in order (`test_f1` -> `test_macro_f1`), as a name half-remembered usually does.
 */
function suggest(key: string, known: readonly string[]): string | undefined {
  const near = closestName(key, known);
  if (near) return near;
  const words = key.toLowerCase().split(/[._\-\s]+/).filter(Boolean);
  if (words.length === 0) return undefined;
  const holds = known.filter((k) => {
    const theirs = k.toLowerCase().split(/[._\-\s]+/);
    let at = 0;
    for (const word of words) {
      at = theirs.indexOf(word, at);
      if (at < 0) return false;
      at++;
    }
    return true;
  });
  // The holder with the fewest other words, when one has fewer than the rest.
  const extra = (k: string) => k.split(/[._\-\s]+/).length;
  const best = Math.min(...holds.map(extra));
  const fewest = holds.filter((k) => extra(k) === best);
  return fewest.length === 1 ? fewest[0] : undefined;
}

/** A config key recorded only as numbers (or only as text) compared with the other kind selects nothing. */
export function checkTypes(field: FieldRef, kind: 'number' | 'string', values: readonly Literal[], fail: ErrorFactory): void {
  for (const { value, pos } of values) {
    if (kind === 'number' && typeof value === 'string') {
      throw fail(pos, `\`${field.text}\` is a number in every run, compared with text`, 'a number', `'${value}'`);
    }
    if (kind === 'string' && typeof value === 'number') {
      throw fail(pos, `\`${field.text}\` is text in every run, compared with a number`, "a 'string'", String(value), `Quote it: '${value}'.`);
    }
  }
}
