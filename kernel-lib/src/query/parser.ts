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
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; field: FieldRef; fieldPos: number; op: CompareOp; value: Literal }
  | { kind: 'like'; field: FieldRef; fieldPos: number; negated: boolean; pattern: Literal }
  | { kind: 'in'; field: FieldRef; fieldPos: number; negated: boolean; values: Literal[] }
  | { kind: 'null'; field: FieldRef; negated: boolean };

const AFTER_FIELD = 'an operator (=, !=, <>, <, <=, >, >=, LIKE, NOT LIKE, IN, NOT IN, IS NULL, IS NOT NULL)';
const VALUE = "a value (a number, a 'string', true, false or null)";

/** Precedence, loosest first: OR, AND, NOT, then a comparison or a parenthesized expression. */
export function parseFilter(source: string): FilterNode {
  const tokens = tokenize(source, filterError);
  let at = 0;
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
    let left = and();
    while (isKeyword('OR')) {
      at++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  }

  function and(): FilterNode {
    let left = not();
    while (isKeyword('AND')) {
      at++;
      left = { kind: 'and', left, right: not() };
    }
    return left;
  }

  function not(): FilterNode {
    if (isKeyword('NOT')) {
      at++;
      return { kind: 'not', operand: not() };
    }
    return primary();
  }

  function primary(): FilterNode {
    const t = peek();
    if (t.kind === '(') {
      at++;
      const inner = or();
      if (peek().kind !== ')') unexpected(`\`)\` to close the \`(\` at column ${t.pos}, or AND / OR`);
      at++;
      return inner;
    }
    if (t.kind !== 'field') return unexpected('a field such as config.lr or metrics.loss, NOT, or `(`');
    at++;
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
      return { kind: 'null', field, negated };
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
    const values = [literal()];
    while (peek().kind === ',') {
      at++;
      values.push(literal());
    }
    if (peek().kind !== ')') unexpected('`,` and another value, or `)` to close the list');
    at++;
    return values;
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
