/** loadCsv: a CSV file (parsed by papaparse) to a typed DataFrame, with located errors. */
import type { DataFrame } from 'danfojs-node';
import { invalidArgument } from '../errors';
import { DataFormatError, lineAndColumn, quote, type DataLocation } from './errors';
import { makeFrame, type Column } from './frame';
import { papaparse } from './lazy';
import { didYouMean, normalizeLoadOptions, type LoadOptions } from './options';
import { readTextChunks, streaming } from './read-stream';
import { typeCsvColumn } from './typing';

export interface CsvOptions extends LoadOptions {
  /** Field separator (default ','). Never guessed: a wrong guess would mis-split silently. */
  delimiter?: string;
  /** Cell texts that mean "no value" (default '', 'NA', 'N/A', 'NaN', 'null'). */
  missing?: string[];
}

export const DEFAULT_MISSING: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'null'];

interface Parsed {
  header: string[];
  /** Line the header is on. */
  headerLine: number;
  rows: string[][];
  /** Line where each data row starts. */
  lines: number[];
}

/**
 * A DataFrame of the file's rows: numbers as int32 (all whole, none missing) or float32, `true`/
 * `false` as boolean, anything else as string, unless `dtypes` says otherwise. Blank lines are
 * skipped. Every malformed input is a DataFormatError naming the file, line and column.
 */
export function loadCsv(path: string, options: CsvOptions = {}): DataFrame {
  const opts = normalizeLoadOptions(options);
  const delimiter = options.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || /["\r\n]/.test(delimiter)) {
    throw invalidArgument('delimiter', 'one character other than a quote or a line break', delimiter);
  }
  const missingList = options.missing ?? DEFAULT_MISSING;
  if (!Array.isArray(missingList) || missingList.some((m) => typeof m !== 'string')) throw invalidArgument('missing', 'an array of strings', missingList);
  const missing = new Set(missingList);

  const { header, headerLine, rows, lines } = parse(path, delimiter);
  for (const name of opts.named) {
    if (!header.includes(name)) {
      throw new DataFormatError(
        { file: path, line: headerLine },
        `a header with the column \`${name}\` (asked for by name)`,
        `the header ${quote(header.join(delimiter))}`,
        `Check the file or the column name.${didYouMean(name, header)}`,
      );
    }
  }
  if (rows.length === 0) {
    throw new DataFormatError({ file: path, line: headerLine + 1 }, 'at least one data row after the header', 'none', 'Check that the file was written completely.');
  }

  const locate = (row: number, c: number): DataLocation => {
    let line = lines[row];
    // A quoted field may span lines: count the line breaks inside the fields before this one.
    for (let k = 0; k < c; k++) line += countNewlines(rows[row][k]);
    return { file: path, line, column: c + 1, field: header[c] };
  };
  const selected = opts.columns ?? header;
  const columns: Column[] = selected.map((name) => {
    const c = header.indexOf(name);
    const cells = rows.map((row) => row[c]);
    return typeCsvColumn(cells, missing, { name, declared: opts.dtypes.get(name), inferRows: opts.inferRows, locate: (r) => locate(r, c) });
  });
  return makeFrame(columns);
}

/**
 * Streams the file through papaparse's chunk parser: each piece of text is parsed after what was
 * left of the previous one (an incomplete last row), so no string ever holds the whole file and a
 * file past V8's longest string (~512 MiB) loads. Rows, and so the frame and its fingerprint, are
 * the same as parsing the whole text at once.
 */
function parse(file: string, delimiter: string): Parsed {
  let header: string[] | undefined;
  let headerLine = 1;
  const rows: string[][] = [];
  const lines: number[] = [];
  let parser: { parse(input: string, baseIndex: number, ignoreLastRow: boolean): { meta: { cursor: number } } } | undefined;
  let input = ''; // the text being parsed: the unparsed rest of the last piece, then the new piece
  let base = 0; // offset of input[0] in the file's text
  let rowStart = 0; // offset where the next row starts
  let line = 1; // line the next row starts on
  const step = (result: { data: string[][]; errors: { code: string; message: string; index?: number }[]; meta: { cursor: number } }) => {
    const from = rowStart - base;
    const to = result.meta.cursor - base;
    rowStart = result.meta.cursor;
    const rowLine = line;
    line += countNewlines(input.slice(from, to));
    if (result.errors.length > 0) throw quoteError(input, file, result.errors[0], from, rowLine);
    const fields = result.data[0]; // one row per step
    if (fields.length === 1 && fields[0] === '') return; // a blank line
    if (header === undefined) {
      const failure = checkHeader(fields, file, rowLine);
      if (failure) throw failure;
      header = fields;
      headerLine = rowLine;
      return;
    }
    if (fields.length !== header.length) throw raggedError(file, header, fields, rowLine);
    rows.push(fields);
    lines.push(rowLine);
  };
  readTextChunks(file, (text, last) => {
    input += text;
    if (!parser) {
      // papaparse guesses the line ending from the first 1 MiB: wait for that much, as it did whole.
      if (input.length < GUESS_CHARS && !last) return;
      // The chunk-level parser papaparse's own streamers use; its typings leave it out.
      const { Parser } = papaparse() as unknown as { Parser: new (config: object) => NonNullable<typeof parser> };
      parser = new Parser({ delimiter, quoteChar: '"', newline: guessLineEndings(input), step });
    }
    streaming.largestText = Math.max(streaming.largestText, input.length);
    const cursor = parser.parse(input, base, !last).meta.cursor;
    input = input.slice(cursor - base);
    base = cursor;
    // A row this long is refused rather than held: a quote left open would otherwise gather the
    // rest of a huge file into one string (and re-scan it for every piece read).
    if (input.length > streaming.maxRowChars) {
      throw new DataFormatError({ file, line }, `a row of at most ${streaming.maxRowChars} characters`, 'a longer one', 'Look for a quote (") that is never closed on that line.');
    }
  });
  // readTextChunks refused empty and blank files, so a header was seen.
  return { header: header as string[], headerLine, rows, lines };
}

const GUESS_CHARS = 1024 * 1024;

/** papaparse's guess (from the first 1 MiB, outside quotes): \r\n, \r or \n. */
function guessLineEndings(text: string): string {
  const sample = text.slice(0, GUESS_CHARS).replace(/"([^]*?)"/gm, '');
  const r = sample.split('\r');
  const n = sample.split('\n');
  if (r.length === 1 || (n.length > 1 && n[0].length < r[0].length)) return '\n';
  const withN = r.filter((piece) => piece[0] === '\n').length;
  return withN >= r.length / 2 ? '\r\n' : '\r';
}

function checkHeader(header: string[], file: string, line: number): DataFormatError | undefined {
  const seen = new Map<string, number>();
  for (let c = 0; c < header.length; c++) {
    const name = header[c];
    if (name.trim() === '') {
      return new DataFormatError({ file, line, column: c + 1 }, 'a column name in the header', 'an empty name', 'Name every column in the first line.');
    }
    const first = seen.get(name);
    if (first !== undefined) {
      return new DataFormatError({ file, line, column: c + 1, field: name }, 'distinct column names in the header', `\`${name}\` again (first at column ${first + 1})`, 'Rename one of the two columns.');
    }
    seen.set(name, c);
  }
  return undefined;
}

function raggedError(file: string, header: string[], fields: string[], rowLine: number): DataFormatError {
  let line = rowLine;
  const shown = Math.min(fields.length, header.length);
  for (let k = 0; k < shown; k++) line += countNewlines(fields[k]);
  const column = fields.length < header.length ? fields.length + 1 : header.length + 1;
  const where: DataLocation = { file, line, column };
  if (fields.length < header.length) where.field = header[fields.length];
  return new DataFormatError(
    where,
    `${header.length} fields, as in the header`,
    `${fields.length} field${fields.length === 1 ? '' : 's'}`,
    fields.length > header.length
      ? 'Remove the extra fields, or quote values that contain the delimiter.'
      : 'Add the missing fields (leave a cell empty for a missing value).',
  );
}

/** `from` is where the row starts in `input`, on line `rowLine`; the error's index is in `input` too. */
function quoteError(input: string, file: string, error: { code: string; message: string; index?: number }, from: number, rowLine: number): DataFormatError {
  const at = Math.max(from, Math.min(error.index ?? from, input.length));
  const { line: extra, column } = lineAndColumn(input.slice(from, at + 1), at - from);
  const line = rowLine + extra - 1;
  if (error.code === 'MissingQuotes') {
    return new DataFormatError({ file, line, column }, 'a closing quote (") for the quoted field', 'none before the end of the file', 'Close the quote, or double a quote inside a field ("").');
  }
  if (error.code === 'InvalidQuotes') {
    return new DataFormatError({ file, line, column }, 'a delimiter or line break right after a closing quote', 'more text', 'Double quotes inside a quoted field ("") or quote the whole field.');
  }
  return new DataFormatError({ file, line, column }, 'well-formed CSV', quote(error.message));
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
