/** The filter language's PostgreSQL dialect: the same tree as compile.ts, the team store's typed columns. */
import { bind, chain, pattern } from './compile';
import type { FieldRef } from './fields';
import type { FilterNode, Literal } from './parser';

/**
 * SQLite compares values of different types by type (numbers before text) and text bytewise; the
 * team store keeps a config value in `num` or `text`, so each comparison says what SQLite's would
 * have given across types, and text compares under the "C" collation (bytewise, as SQLite's BINARY).
 * Placeholders are `?` here, numbered `$n` by the caller: no user text is ever spliced.
 */
export function emitPostgres(node: FilterNode, alias: string, params: unknown[], positive = false): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return chain(node.operands, 0, node.operands.length, node.kind === 'and' ? ' AND ' : ' OR ', alias, params, (n, a, p) => emitPostgres(n, a, p, positive));
    case 'not':
      return `(NOT ${emitPostgres(node.operand, alias, params)})`;
    case 'null':
      if (node.field.kind === 'config') {
        params.push(node.field.key);
        return `(${node.negated ? '' : 'NOT '}EXISTS (SELECT 1 FROM params WHERE run_id = ${alias}.id AND key = ? AND (num IS NOT NULL OR text IS NOT NULL)))`;
      }
      return `(${pgField(node.field, alias, params)} IS ${node.negated ? 'NOT ' : ''}NULL)`;
    case 'compare': {
      const op = node.op === '!=' ? '<>' : node.op;
      const value = bind(node.field, node.value, node.op);
      if (positive && node.field.kind !== 'column') return semiJoin(node.field, op, value, alias, params);
      if (node.field.kind === 'config') return configCompare(node.field.key, op, value, alias, params);
      const lhs = pgField(node.field, alias, params, op !== '=' && op !== '<>');
      params.push(value);
      return `(${lhs} ${op} ${slot(node.field, value)})`;
    }
    case 'like': {
      const text = pattern(node.field, node.fieldPos, node.pattern);
      const not = node.negated ? 'NOT ' : '';
      // SQLite's LIKE ignores ASCII case and has no escape character unless ESCAPE names one.
      if (node.field.kind === 'config') {
        params.push(text, node.field.key);
        return `(SELECT COALESCE(text, ${SQLITE_REAL_TEXT}) ${not}ILIKE ? ESCAPE '' FROM params WHERE run_id = ${alias}.id AND key = ?)`;
      }
      const lhs = pgField(node.field, alias, params);
      params.push(text);
      return `(${lhs} ${not}ILIKE ? ESCAPE '')`;
    }
    case 'in': {
      const values = node.values.map((v: Literal) => bind(node.field, v, 'IN'));
      const not = node.negated ? 'NOT ' : '';
      if (node.field.kind === 'config') return configIn(node.field.key, values, not, alias, params);
      const lhs = pgField(node.field, alias, params);
      params.push(...values);
      return `(${lhs} ${not}IN (${values.map((v) => slot(node.field, v)).join(', ')}))`;
    }
  }
}

/**
 * A number as SQLite's LIKE sees it (its text form): integral values print with `.0` (128.0), others
 * in PostgreSQL's shortest form, which agrees with SQLite's 15 digits for the values people type.
 */
const SQLITE_REAL_TEXT = "CASE WHEN num = trunc(num) AND abs(num) < 1e15 THEN trunc(num)::bigint::text || '.0' ELSE num::text END";

/** A value expression for a field; text ones under "C" when they are ordered (`<`, `>`), so an index still serves `=`. */
export function pgField(field: FieldRef, alias: string, params: unknown[], ordered = false): string {
  const c = ordered && isText(field) ? ' COLLATE "C"' : '';
  switch (field.kind) {
    case 'column':
      if (field.column === 'experiment') return `(SELECT name${c} FROM experiments WHERE id = ${alias}.experiment_id)`;
      return `${alias}.${field.column === 'parent' ? 'parent_id' : field.column}${c}`;
    case 'config':
      params.push(field.key);
      return `(SELECT COALESCE(num::text, text) FROM params WHERE run_id = ${alias}.id AND key = ?)`;
    case 'tag':
      params.push(field.key);
      return `(SELECT value${c} FROM tags WHERE run_id = ${alias}.id AND key = ?)`;
    case 'metric':
      params.push(field.key);
      return `(SELECT ${field.aggregate} FROM metrics_latest WHERE run_id = ${alias}.id AND key = ?)`;
  }
}

export function isText(field: FieldRef): boolean {
  return field.kind === 'tag' || (field.kind === 'column' && ['name', 'experiment', 'status', 'config_hash', 'code_hash'].includes(field.column));
}

/** Integer columns (ids, seeds, times) are BIGINT: a fractional bound value must not be read as one. */
function slot(field: FieldRef, value: number | string): string {
  return typeof value === 'number' && !Number.isInteger(value) && field.kind === 'column' ? '?::float8' : '?';
}

/**
 * A comparison where only TRUE counts (the WHERE clause's AND/OR, outside any NOT): TRUE exactly
 * when the correlated form is, so it may be a semi-join the planner serves from the (key, value)
 * indexes instead of one lookup per run. Under NOT, FALSE and unknown differ, so the CASE form stays.
 */
function semiJoin(field: FieldRef, op: string, value: number | string, alias: string, params: unknown[]): string {
  if (field.kind === 'config') {
    params.push(field.key, value);
    // Equality needs no collation, and a collation other than the index's would keep the index from serving it.
    const text = op === '=' || op === '<>' ? 'text' : 'text COLLATE "C"';
    const same = typeof value === 'number' ? `num ${op} ?::float8` : `${text} ${op} ?`;
    // A stored value of the other type compares as SQLite orders types: some operators hold for all of
    // them. A second branch rather than an OR, so each is an index range.
    const all = (typeof value === 'number' ? TEXT_VS_NUMBER : NUMBER_VS_TEXT)[op] === 'TRUE';
    if (!all) return `(${alias}.id IN (SELECT run_id FROM params WHERE key = ? AND ${same}))`;
    params.push(field.key);
    const other = typeof value === 'number' ? 'text' : 'num';
    return `(${alias}.id IN (SELECT run_id FROM params WHERE key = ? AND ${same} UNION ALL SELECT run_id FROM params WHERE key = ? AND ${other} IS NOT NULL))`;
  }
  const [table, column] = field.kind === 'tag' ? ['tags', `value${op === '=' || op === '<>' ? '' : ' COLLATE "C"'}`] : ['metrics_latest', (field as { aggregate: string }).aggregate];
  params.push((field as { key: string }).key, value);
  return `(${alias}.id IN (SELECT run_id FROM ${table} WHERE key = ? AND ${column} ${op} ?))`;
}

// What SQLite answers when a stored number meets a text literal (number < text), and the reverse.
const NUMBER_VS_TEXT: Record<string, string> = { '<': 'TRUE', '<=': 'TRUE', '=': 'FALSE', '<>': 'TRUE', '>': 'FALSE', '>=': 'FALSE' };
const TEXT_VS_NUMBER: Record<string, string> = { '<': 'FALSE', '<=': 'FALSE', '=': 'FALSE', '<>': 'TRUE', '>': 'TRUE', '>=': 'TRUE' };

function configCompare(key: string, op: string, value: number | string, alias: string, params: unknown[]): string {
  params.push(value, key);
  const body =
    typeof value === 'number'
      ? `WHEN num IS NOT NULL THEN num ${op} ?::float8 WHEN text IS NOT NULL THEN ${TEXT_VS_NUMBER[op]}`
      : `WHEN text IS NOT NULL THEN text COLLATE "C" ${op} ? WHEN num IS NOT NULL THEN ${NUMBER_VS_TEXT[op]}`;
  return `(SELECT CASE ${body} END FROM params WHERE run_id = ${alias}.id AND key = ?)`;
}

function configIn(key: string, values: (number | string)[], not: string, alias: string, params: unknown[]): string {
  const nums = values.filter((v): v is number => typeof v === 'number');
  const texts = values.filter((v): v is string => typeof v === 'string');
  // An empty list on one side: nothing of that type is in it.
  const none = not ? 'TRUE' : 'FALSE';
  const numPart = nums.length ? `num ${not}IN (${nums.map(() => '?::float8').join(', ')})` : none;
  const textPart = texts.length ? `text ${not}IN (${texts.map(() => '?').join(', ')})` : none;
  params.push(...nums, ...texts, key);
  return `(SELECT CASE WHEN num IS NOT NULL THEN ${numPart} WHEN text IS NOT NULL THEN ${textPart} END FROM params WHERE run_id = ${alias}.id AND key = ?)`;
}

/** `?` -> `$first, $first+1, ...` in order; the compiled text holds no literal in which a `?` could appear. */
export function numberPlaceholders(sql: string, first = 1): string {
  let n = first;
  return sql.replace(/\?/g, () => `$${n++}`);
}
