/** Tokenizer for the filter language and the field paths that sort specs share; knows no SQL. */
import type { LabbookError } from '../errors';

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type Keyword = 'AND' | 'OR' | 'NOT' | 'IN' | 'IS' | 'NULL' | 'LIKE' | 'TRUE' | 'FALSE';

/** One dotted piece of a field path; `quoted` segments were written in backticks. */
export interface Segment {
  text: string;
  quoted: boolean;
}

interface At {
  /** 1-based column of the token's first character. */
  pos: number;
  /** The source text of the token, for error messages. */
  text: string;
}

export type Token =
  | (At & { kind: 'field'; segments: Segment[] })
  | (At & { kind: 'keyword'; word: Keyword })
  | (At & { kind: 'number'; value: number })
  | (At & { kind: 'string'; value: string })
  | (At & { kind: 'op'; op: CompareOp })
  | (At & { kind: '(' | ')' | ',' | 'end' });

export type ErrorFactory = (position: number, what: string, expected: string, found?: string, fix?: string) => LabbookError;

const KEYWORDS = new Set<string>(['AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'TRUE', 'FALSE']);
const NUMBER = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;
const WORD_START = /[A-Za-z_]/;
// Hyphens are allowed inside names (`lr-decay`): the language has no arithmetic to confuse them with.
const WORD_CHAR = /[A-Za-z0-9_-]/;
const OPERATORS: readonly [string, CompareOp][] = [
  ['!=', '!='],
  ['<>', '!='],
  ['<=', '<='],
  ['>=', '>='],
  ['=', '='],
  ['<', '<'],
  ['>', '>'],
];

/** Splits `source` into tokens, ending with one `end` token. */
export function tokenize(source: string, fail: ErrorFactory): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const pos = i + 1;
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch, pos, text: ch });
      i++;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const { value, end } = readQuoted(source, i, fail, 'string');
      tokens.push({ kind: 'string', pos, text: source.slice(i, end), value });
      i = end;
      continue;
    }
    const op = OPERATORS.find(([text]) => source.startsWith(text, i));
    if (op) {
      tokens.push({ kind: 'op', pos, text: op[0], op: op[1] });
      i += op[0].length;
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(source);
    if (number) {
      const end = i + number[0].length;
      if (end < source.length && (WORD_CHAR.test(source[end]) || source[end] === '.')) {
        const rest = /^[\w.-]*/.exec(source.slice(end))?.[0] ?? '';
        throw fail(pos, 'malformed number', 'a number such as 3, -0.5 or 1e-3', `\`${number[0]}${rest}\``);
      }
      const value = Number(number[0]);
      if (!Number.isFinite(value)) throw fail(pos, 'number out of range', 'a finite number', `\`${number[0]}\``);
      tokens.push({ kind: 'number', pos, text: number[0], value });
      i = end;
      continue;
    }
    if (WORD_START.test(ch) || ch === '`') {
      const { segments, end } = readPath(source, i, fail);
      const text = source.slice(i, end);
      const upper = text.toUpperCase();
      if (segments.length === 1 && !segments[0].quoted && KEYWORDS.has(upper)) {
        tokens.push({ kind: 'keyword', pos, text, word: upper as Keyword });
      } else {
        tokens.push({ kind: 'field', pos, text, segments });
      }
      i = end;
      continue;
    }
    throw fail(pos, `unexpected character \`${ch}\``, 'a field, a value, an operator or a parenthesis', `\`${ch}\``);
  }
  tokens.push({ kind: 'end', pos: source.length + 1, text: '' });
  return tokens;
}

/** Reads `a.b.\`c d\`` starting at `start`; a backticked segment may hold dots and spaces. */
export function readPath(source: string, start: number, fail: ErrorFactory): { segments: Segment[]; end: number } {
  const segments: Segment[] = [];
  let i = start;
  for (;;) {
    if (source[i] === '`') {
      const { value, end } = readQuoted(source, i, fail, 'name');
      if (value === '') throw fail(i + 1, 'empty name', 'a name between the backticks', '``');
      segments.push({ text: value, quoted: true });
      i = end;
    } else {
      let end = i;
      while (end < source.length && WORD_CHAR.test(source[end])) end++;
      if (end === i) {
        const found = i < source.length ? `\`${source[i]}\`` : 'the end of the expression';
        throw fail(i + 1, 'missing name after `.`', 'a name (letters, digits, _ or -) or a `backticked name`', found);
      }
      segments.push({ text: source.slice(i, end), quoted: false });
      i = end;
    }
    if (source[i] !== '.') return { segments, end: i };
    i++;
  }
}

/** A quoted string or name; the quote character doubled stands for itself ('it''s'). */
function readQuoted(source: string, start: number, fail: ErrorFactory, what: 'string' | 'name'): { value: string; end: number } {
  const quote = source[start];
  let value = '';
  let i = start + 1;
  for (;;) {
    const next = source.indexOf(quote, i);
    if (next < 0) {
      throw fail(start + 1, `unterminated ${what}`, `a closing ${quote}`, 'the end of the expression', `Close the ${what} with ${quote} (write ${quote}${quote} for a literal ${quote}).`);
    }
    value += source.slice(i, next);
    if (source[next + 1] === quote) {
      value += quote;
      i = next + 2;
    } else {
      return { value, end: next + 1 };
    }
  }
}

/** How error messages name a token they did not expect. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the expression';
    case 'string':
      return `the string ${token.text}`;
    case 'number':
      return `the number ${token.text}`;
    case 'keyword':
      return `the keyword ${token.word}`;
    case 'field':
      return `the field \`${token.text}\``;
    default:
      return `\`${token.text}\``;
  }
}
