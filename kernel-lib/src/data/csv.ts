/** loadCsv: a CSV file (parsed by papaparse) to a typed DataFrame, with located errors. */
import type { DataFrame } from 'danfojs-node';
import { invalidArgument } from '../errors';
import { DataFormatError, lineAndColumn, quote, type DataLocation } from './errors';
import { makeFrame, type Column } from './frame';
import { papaparse } from './lazy';
import { didYouMean, normalizeLoadOptions, type LoadOptions } from './options';
import { readText } from './read';
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
  /** Offset of the header row in the text. */
  headerStart: number;
  rows: string[][];
  /** Offset where each data row starts. */
  starts: number[];
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

  const text = readText(path);
  const { header, headerStart, rows, starts } = parse(text, path, delimiter);
  const headerLine = lineAndColumn(text, headerStart).line;
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
    let line = lineAndColumn(text, starts[row]).line;
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

function parse(text: string, file: string, delimiter: string): Parsed {
  let header: string[] | undefined;
  let headerStart = 0;
  const rows: string[][] = [];
  const starts: number[] = [];
  let start = 0;
  let failure: DataFormatError | undefined;
  papaparse().parse(text, {
    delimiter,
    quoteChar: '"',
    skipEmptyLines: false,
    step: (step, parser) => {
      const rowStart = start;
      start = step.meta.cursor;
      if (step.errors.length > 0) {
        failure = quoteError(text, file, step.errors[0], rowStart);
        parser.abort();
        return;
      }
      const fields = step.data;
      if (fields.length === 1 && fields[0] === '') return; // a blank line
      if (header === undefined) {
        failure = checkHeader(fields, file, lineAndColumn(text, rowStart).line);
        if (failure) parser.abort();
        header = fields;
        headerStart = rowStart;
        return;
      }
      if (fields.length !== header.length) {
        failure = raggedError(text, file, header, fields, rowStart);
        parser.abort();
        return;
      }
      rows.push(fields);
      starts.push(rowStart);
    },
  });
  if (failure) throw failure;
  // readText refused empty and blank files, so a header was seen.
  return { header: header as string[], headerStart, rows, starts };
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

function raggedError(text: string, file: string, header: string[], fields: string[], rowStart: number): DataFormatError {
  let line = lineAndColumn(text, rowStart).line;
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

function quoteError(text: string, file: string, error: { code: string; message: string; index?: number }, rowStart: number): DataFormatError {
  const { line, column } = lineAndColumn(text, error.index ?? rowStart);
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
