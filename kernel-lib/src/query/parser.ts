/** Recursive-descent parser: filter text -> a small syntax tree; SQL is compile.ts's job. */
import { filterError } from './error';
import { type FieldRef, resolveField } from './fields';
import { type CompareOp, describeToken, type Keyword, type Token, tokenize } from './lexer';

/** A value as written, with where it was written so a bad one can be pointed at. */
export interface Literal {
  value: number | string | boolean | null;
  pos: number;
}

export type FilterNode =
  // A chain `a AND b AND c` is one node: a binary tree as deep as the chain is long would
  // overflow the stack here and SQLite's expression depth limit when compiled.
  | { kind: 'and' | 'or'; operands: FilterNode[] }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; field: FieldRef; fieldPos: number; op: CompareOp; value: Literal }
  | { kind: 'like'; field: FieldRef; fieldPos: number; negated: boolean; pattern: Literal }
  | { kind: 'in'; field: FieldRef; fieldPos: number; negated: boolean; values: Literal[] }
  | { kind: 'null'; field: FieldRef; fieldPos: number; negated: boolean };

const AFTER_FIELD = 'an operator (=, !=, <>, <, <=, >, >=, LIKE, NOT LIKE, IN, NOT IN, IS NULL, IS NOT NULL)';
const VALUE = "a value (a number, a 'string', true, false or null)";

/**
 * Limits that keep a hostile or generated filter an error instead of a crash or a minutes-long
 * prepare. Nesting bounds the parser's recursion and, with AND/OR chains compiled as balanced
 * trees (log2 deep), keeps the SQL well under SQLite's expression depth of 1000. Conditions are
 * bounded because SQLite's time to prepare a statement grows faster than linearly with them (2,000
 * take a fraction of a second); IN-list values are cheap but each is a bound variable, and all
 * of them together stay under SQLite's 32,766.
 */
export const MAX_FILTER_NESTING = 64;
export const MAX_FILTER_CONDITIONS = 2_000;
export const MAX_FILTER_VALUES = 10_000;

/** Precedence, loosest first: OR, AND, NOT, then a comparison or a parenthesized expression. */
export function parseFilter(source: string): FilterNode {
  const tokens = tokenize(source, filterError);
  let at = 0;
  let depth = 0;
  let conditions = 0;
  let values = 0;
  const peek = (): Token => tokens[at];
  const isKeyword = (word: Keyword): boolean => {
    const t = peek();
    return t.kind === 'keyword' && t.word === word;
  };
  const unexpected = (expected: string): never => {
    const t = peek();
    throw filterError(t.pos, t.kind === 'end' ? 'incomplete filter' : 'unexpected input', expected, describeToken(t));
  };

  function or(): FilterNode {
    const operands = [and()];
    while (isKeyword('OR')) {
      at++;
      operands.push(and());
    }
    return operands.length === 1 ? operands[0] : { kind: 'or', operands };
  }

  function and(): FilterNode {
    const operands = [not()];
    while (isKeyword('AND')) {
      at++;
      operands.push(not());
    }
    return operands.length === 1 ? operands[0] : { kind: 'and', operands };
  }

  /** Enters a `(` or NOT, refusing to go deeper than the limit (checked before recursing). */
  function nest<T>(pos: number, inner: () => T): T {
    if (++depth > MAX_FILTER_NESTING) {
      throw filterError(
        pos,
        'filter too deep',
        `at most ${MAX_FILTER_NESTING} nested parentheses and NOTs`,
        `more (nesting ${MAX_FILTER_NESTING + 1} here)`,
        'Remove redundant parentheses or double NOTs, or split the filter into simpler ones.',
      );
    }
    const node = inner();
    depth--;
    return node;
  }

  function countCondition(pos: number): void {
    if (++conditions > MAX_FILTER_CONDITIONS) {
      throw filterError(pos, 'filter too long', `at most ${MAX_FILTER_CONDITIONS} conditions`, `condition ${conditions} here`, 'Split the search into several, or select the runs by a tag or config key they share.');
    }
  }

  function countValue(pos: number): void {
    if (++values > MAX_FILTER_VALUES) {
      throw filterError(pos, 'filter too long', `at most ${MAX_FILTER_VALUES} values in IN lists in all`, `value ${values} here`, 'Split the list over several searches, or select the runs by a tag they share.');
    }
  }

  function not(): FilterNode {
    const t = peek();
    if (isKeyword('NOT')) {
      at++;
      return nest(t.pos, () => ({ kind: 'not', operand: not() }));
    }
    return primary();
  }

  function primary(): FilterNode {
    const t = peek();
    if (t.kind === '(') {
      at++;
      return nest(t.pos, () => {
        const inner = or();
        if (peek().kind !== ')') unexpected(`\`)\` to close the \`(\` at column ${t.pos}, or AND / OR`);
        at++;
        return inner;
      });
    }
    if (t.kind !== 'field') return unexpected('a field such as config.lr or metrics.loss, NOT, or `(`');
    at++;
    countCondition(t.pos);
    return comparison(resolveField(t.segments, t.text, t.pos, filterError), t.pos);
  }

  function comparison(field: FieldRef, fieldPos: number): FilterNode {
    const t = peek();
    if (t.kind === 'op') {
      at++;
      return { kind: 'compare', field, fieldPos, op: t.op, value: literal() };
    }
    if (t.kind !== 'keyword') return unexpected(AFTER_FIELD);
    if (t.word === 'IS') {
      at++;
      const negated = isKeyword('NOT');
      if (negated) at++;
      if (!isKeyword('NULL')) unexpected(`NULL after IS${negated ? ' NOT' : ''}`);
      at++;
      return { kind: 'null', field, fieldPos, negated };
    }
    const negated = t.word === 'NOT';
    if (negated) at++;
    if (isKeyword('LIKE')) {
      at++;
      return { kind: 'like', field, fieldPos, negated, pattern: literal() };
    }
    if (isKeyword('IN')) {
      at++;
      return { kind: 'in', field, fieldPos, negated, values: list() };
    }
    return unexpected(negated ? 'LIKE or IN after NOT' : AFTER_FIELD);
  }

  function list(): Literal[] {
    if (peek().kind !== '(') unexpected('`(` to open the list of values after IN');
    at++;
    countValue(peek().pos);
    const list = [literal()];
    while (peek().kind === ',') {
      at++;
      countValue(peek().pos);
      list.push(literal());
    }
    if (peek().kind !== ')') unexpected('`,` and another value, or `)` to close the list');
    at++;
    return list;
  }

  function literal(): Literal {
    const t = peek();
    if (t.kind === 'number' || t.kind === 'string') {
      at++;
      return { value: t.value, pos: t.pos };
    }
    if (t.kind === 'keyword' && (t.word === 'TRUE' || t.word === 'FALSE' || t.word === 'NULL')) {
      at++;
      return { value: t.word === 'NULL' ? null : t.word === 'TRUE', pos: t.pos };
    }
    if (t.kind === 'field') {
      // Most likely a string someone forgot to quote: say so rather than just "unexpected".
      throw filterError(t.pos, 'unquoted text', VALUE, describeToken(t), `Quote text values: '${t.text}'.`);
    }
    return unexpected(VALUE);
  }

  if (peek().kind === 'end') unexpected('a condition such as config.lr < 0.01');
  const tree = or();
  if (peek().kind !== 'end') {
    const t = peek();
    throw filterError(t.pos, 'trailing text', 'AND, OR or the end of the filter', describeToken(t));
  }
  return tree;
}
