/** Errors for malformed data files: which file, where in it, what was expected and what was found. */
import { LabbookError } from '../errors';

export interface DataLocation {
  file: string;
  /** 1-based line in the file. */
  line?: number;
  /**
   * 1-based column: the field number in a CSV row; the character column in a JSON line, in an
   * encoding error and in a CSV quoting error.
   */
  column?: number;
  /** The column (CSV header name or JSON key) the mistake is in. */
  field?: string;
}

/**
 * A malformed data file. A LabbookError with code INVALID_ARGUMENT (the file is the caller's
 * input and the caller can fix it), carrying the location as fields for programs.
 */
export class DataFormatError extends LabbookError {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly field?: string;

  constructor(where: DataLocation, expected: string, received: string, fix?: string) {
    super('INVALID_ARGUMENT', formatMessage(where, expected, received, fix));
    this.name = 'DataFormatError';
    this.file = where.file;
    if (where.line !== undefined) this.line = where.line;
    if (where.column !== undefined) this.column = where.column;
    if (where.field !== undefined) this.field = where.field;
  }
}

function formatMessage(where: DataLocation, expected: string, received: string, fix?: string): string {
  let place = where.file;
  if (where.line !== undefined) place += ` at line ${where.line}`;
  if (where.column !== undefined) place += `${where.line !== undefined ? ',' : ' at'} column ${where.column}`;
  if (where.field !== undefined) place += ` (\`${where.field}\`)`;
  return `Invalid data in ${place}: expected ${expected}, received ${received}.${fix ? ` ${fix}` : ''}`;
}

/** 1-based line and column (in UTF-16 code units) of a character offset in a text. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/** A cell or value quoted for a message, shortened. */
export function quote(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
