/** The one-line, positioned errors of the filter and sort languages (not a second error class). */
import { LabbookError } from '../errors';

/**
 * `Invalid filter at column 5: unknown field \`confg.lr\`; expected ..., found ....` Columns are
 * 1-based because people count characters that way; `position` carries the same number for
 * callers that draw a caret under the expression.
 */
export function filterError(position: number, what: string, expected: string, found?: string, fix?: string): LabbookError {
  return positioned('INVALID_FILTER', 'filter', position, what, expected, found, fix);
}

export function sortError(position: number, what: string, expected: string, found?: string, fix?: string): LabbookError {
  return positioned('INVALID_ARGUMENT', 'sort', position, what, expected, found, fix);
}

/** For `--columns` lists, which name fields the way filters and sorts do. */
export function columnsError(position: number, what: string, expected: string, found?: string, fix?: string): LabbookError {
  return positioned('INVALID_ARGUMENT', 'column list', position, what, expected, found, fix);
}

function positioned(
  code: 'INVALID_FILTER' | 'INVALID_ARGUMENT',
  language: string,
  position: number,
  what: string,
  expected: string,
  found: string | undefined,
  fix: string | undefined,
): LabbookError {
  const received = found === undefined ? '' : `, found ${found}`;
  const tail = fix ? ` ${fix}` : '';
  // Collapsed to one line: the CLI prints the message as is, and a newline would split it.
  const message = `Invalid ${language} at column ${position}: ${what}; expected ${expected}${received}.${tail}`;
  return new LabbookError(code, message.replace(/\s*\n\s*/g, ' '), position);
}
