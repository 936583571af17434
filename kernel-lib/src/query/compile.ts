/** Filter syntax tree -> one parameterized SQL boolean expression over a run alias. */
import { invalidArgument } from '../errors';
import { RUN_STATUSES } from '../registry/types';
import { filterError } from './error';
import { type FieldRef, fieldSql } from './fields';
import { type Literal, type FilterNode, parseFilter } from './parser';
import { emitPostgres, numberPlaceholders } from './postgres';

/** Which SQL a filter or sort compiles to: the local registry's SQLite, or the team store's PostgreSQL. */
export type Dialect = 'sqlite' | 'postgres';

export interface CompiledSql {
  /** SQL text in which every value and key is a `?` (PostgreSQL: `$1..$n`); safe to splice into a WHERE clause. */
  sql: string;
  params: unknown[];
}

/**
 * Compiles `where` (see the filter grammar in the README) against the runs table aliased `alias`.
 * Throws LabbookError INVALID_FILTER, with `position`, for anything it cannot compile.
 */
export function compileFilter(where: string, alias = 'r', dialect: Dialect = 'sqlite'): CompiledSql {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias)) throw invalidArgument('alias', 'an SQL identifier such as r', alias);
  return compileTree(parseFilter(where), alias, dialect);
}

/**
 * compileFilter for a tree already parsed (and checked against a registry by searchRuns). For
 * PostgreSQL the placeholders are numbered from `firstParam`, so the text can follow others.
 */
export function compileTree(tree: FilterNode, alias = 'r', dialect: Dialect = 'sqlite', firstParam = 1): CompiledSql {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias)) throw invalidArgument('alias', 'an SQL identifier such as r', alias);
  const params: unknown[] = [];
  if (dialect === 'postgres') return { sql: numberPlaceholders(emitPostgres(tree, alias, params, true), firstParam), params };
  if (dialect !== 'sqlite') throw invalidArgument('dialect', "'sqlite' or 'postgres'", dialect);
  const sql = emit(tree, alias, params);
  return { sql, params };
}

// Parameters are pushed in the order their `?` appear in the text, which is what SQLite binds by.
function emit(node: FilterNode, alias: string, params: unknown[]): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return chain(node.operands, 0, node.operands.length, node.kind === 'and' ? ' AND ' : ' OR ', alias, params);
    case 'not':
      return `(NOT ${emit(node.operand, alias, params)})`;
    case 'null':
      return `(${field(node.field, alias, params)} IS ${node.negated ? 'NOT ' : ''}NULL)`;
    case 'compare': {
      const lhs = field(node.field, alias, params);
      params.push(bind(node.field, node.value, node.op));
      return `(${lhs} ${node.op === '!=' ? '<>' : node.op} ?)`;
    }
    case 'like': {
      const lhs = field(node.field, alias, params);
      params.push(pattern(node.field, node.fieldPos, node.pattern));
      return `(${lhs} ${node.negated ? 'NOT ' : ''}LIKE ?)`;
    }
    case 'in': {
      const lhs = field(node.field, alias, params);
      for (const value of node.values) params.push(bind(node.field, value, 'IN'));
      return `(${lhs} ${node.negated ? 'NOT ' : ''}IN (${node.values.map(() => '?').join(', ')}))`;
    }
  }
}

/**
 * A chain as a balanced tree of parenthesized halves: SQLite nests `a AND b AND c` left-deep, one
 * level per term, and refuses past depth 1000; halves keep the depth log2 of the length. AND and
 * OR are associative in SQL's three-valued logic too, and the text keeps the terms' order, so the
 * result and the order of the bound values are unchanged.
 */
export function chain(
  operands: readonly FilterNode[],
  from: number,
  to: number,
  op: string,
  alias: string,
  params: unknown[],
  each: (node: FilterNode, alias: string, params: unknown[]) => string = emit,
): string {
  if (to - from === 1) return each(operands[from], alias, params);
  const mid = (from + to) >> 1;
  return `(${chain(operands, from, mid, op, alias, params, each)}${op}${chain(operands, mid, to, op, alias, params, each)})`;
}

function field(ref: FieldRef, alias: string, params: unknown[]): string {
  const { sql, params: keys } = fieldSql(ref, alias);
  params.push(...keys);
  return sql;
}

/** The SQLite value a literal binds as, checked against what the field can hold. */
export function bind(ref: FieldRef, literal: Literal, op: string): number | string {
  const { value, pos } = literal;
  if (value === null) {
    throw filterError(pos, `\`${op}\` with null`, "a number, a 'string', true or false", 'null', 'Test for a missing value with IS NULL or IS NOT NULL.');
  }
  if (ref.kind === 'column' && (ref.column === 'started_at' || ref.column === 'ended_at')) {
    if (typeof value === 'number') return value;
    if (typeof value === 'string') return parseTime(value, pos);
    throw filterError(pos, `invalid time for \`${ref.text}\``, "milliseconds since the epoch or an ISO date such as '2024-05-01T12:00:00Z'", String(value));
  }
  if (ref.kind === 'column' && ref.column === 'status') {
    if (typeof value !== 'string' || !(RUN_STATUSES as readonly string[]).includes(value)) {
      throw filterError(pos, 'unknown run status', `one of ${RUN_STATUSES.map((s) => `'${s}'`).join(', ')}`, typeof value === 'string' ? `'${value}'` : String(value));
    }
    return value;
  }
  // A number compared with text is never true in SQLite, so it would select nothing, silently.
  const numeric = ref.kind === 'metric' || (ref.kind === 'column' && (ref.column === 'id' || ref.column === 'seed' || ref.column === 'parent'));
  if (numeric && typeof value === 'string') {
    throw filterError(pos, `\`${ref.text}\` is a number, compared with text`, 'a number', `'${value}'`);
  }
  const text = ref.kind === 'column' && ['name', 'experiment', 'config_hash', 'code_hash'].includes(ref.column);
  if (text && typeof value !== 'string') {
    throw filterError(pos, `\`${ref.text}\` is text, compared with ${typeof value === 'number' ? 'a number' : 'a boolean'}`, "a 'string'", String(value), `Quote it: '${String(value)}'.`);
  }
  // Booleans are stored as 1/0 (SQLite has no boolean type), so they bind the same way.
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

export function pattern(ref: FieldRef, fieldPos: number, literal: Literal): string {
  if (ref.kind === 'column' && (ref.column === 'started_at' || ref.column === 'ended_at')) {
    throw filterError(fieldPos, `LIKE on the time \`${ref.text}\``, 'a comparison such as <, >= or =', 'LIKE');
  }
  if (typeof literal.value !== 'string') {
    const found = literal.value === null ? 'null' : String(literal.value);
    throw filterError(literal.pos, 'LIKE needs a text pattern', "a 'string' pattern (% matches any run of characters, _ one)", found);
  }
  return literal.value;
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO date or date-time to ms since the epoch. Without an offset it is UTC, as date-only ISO
 * strings are in JavaScript, so a saved filter selects the same runs on every machine.
 */
function parseTime(text: string, pos: number): number {
  const m = ISO_TIME.exec(text.trim());
  const bad = () =>
    filterError(pos, 'invalid date', "an ISO date such as '2024-05-01' or '2024-05-01T12:30:00Z' (UTC unless an offset is given)", `'${text}'`);
  if (!m) throw bad();
  const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0', zone] = m;
  const local = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Number(ms.padEnd(3, '0')));
  const check = new Date(local);
  // Date.UTC rolls Feb 31 over into March; a date that does not round-trip does not exist.
  if (check.getUTCFullYear() !== +y || check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) {
    throw bad();
  }
  if (!zone || zone.toUpperCase() === 'Z') return local;
  const offset = /([+-])(\d{2}):?(\d{2})/.exec(zone)!;
  const minutes = (Number(offset[2]) * 60 + Number(offset[3])) * (offset[1] === '-' ? -1 : 1);
  return local - minutes * 60_000;
}
