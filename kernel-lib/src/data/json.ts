/** loadJson: a JSON array of records to a typed DataFrame, with located errors. */
import type { DataFrame } from 'danfojs-node';
import { DataFormatError, lineAndColumn, type DataLocation } from './errors';
import { makeFrame } from './frame';
import { findSyntaxProblem, locateElement } from './json-scan';
import { didYouMean, normalizeLoadOptions, type LoadOptions } from './options';
import { readText } from './read';
import { typeJsonColumn } from './typing';

export type JsonOptions = LoadOptions;

const SHAPE = 'an array of records ([{"column": value, ...}, ...])';

/**
 * A DataFrame of the records in a file holding one JSON array of objects. Columns are the keys in
 * order of first appearance (or `columns`); a key absent from a record is a missing value. JSON
 * numbers become int32 (all whole, none missing) or float32, booleans boolean, strings string.
 */
export function loadJson(path: string, options: JsonOptions = {}): DataFrame {
  const opts = normalizeLoadOptions(options);
  const text = readText(path);
  // The walk comes first: it refuses what JSON.parse would read silently wrong (a duplicate key,
  // 1e400 as Infinity) and nesting deep enough to overflow a recursive reader.
  let problem = findSyntaxProblem(text);
  let data: unknown;
  if (!problem) {
    try {
      data = JSON.parse(text);
    } catch {
      problem = { offset: 0, expected: 'valid JSON', received: 'text JSON.parse rejects' };
    }
  }
  if (problem) {
    const { line, column } = lineAndColumn(text, problem.offset);
    throw new DataFormatError({ file: path, line, column }, problem.expected, problem.received, problem.fix ?? 'Fix the JSON syntax there.');
  }
  const at = (element: number, key?: string): DataLocation => {
    const offset = (key === undefined ? undefined : locateElement(text, element, key)) ?? locateElement(text, element) ?? 0;
    const where: DataLocation = { file: path, ...lineAndColumn(text, offset) };
    if (key !== undefined) where.field = key;
    return where;
  };
  if (!Array.isArray(data)) {
    const start = lineAndColumn(text, text.search(/\S/));
    throw new DataFormatError({ file: path, ...start }, SHAPE, describe(data), hintFor(data));
  }
  if (data.length === 0) throw new DataFormatError({ file: path, ...lineAndColumn(text, text.search(/\S/)) }, `${SHAPE} with at least one record`, 'an empty array');
  const records = data as Record<string, unknown>[];
  const keys = new Set<string>();
  for (let k = 0; k < records.length; k++) {
    const record = records[k];
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new DataFormatError(at(k), `a record (a JSON object) as element ${k + 1} of the array`, describe(record), 'Every element must be an object of column name to value.');
    }
    for (const key of Object.keys(record)) keys.add(key);
    for (const name of opts.required) {
      if (!Object.prototype.hasOwnProperty.call(record, name)) {
        throw new DataFormatError(at(k), `a record with the required field \`${name}\``, `a record without it (fields ${Object.keys(record).map((x) => `\`${x}\``).join(', ') || 'none'})`, `Add \`${name}\` to every record, or drop it from \`required\`.`);
      }
    }
  }
  const available = [...keys];
  for (const name of opts.named) {
    if (!keys.has(name)) {
      throw new DataFormatError(at(0), `records with the field \`${name}\` (asked for by name)`, `records with only ${available.map((x) => `\`${x}\``).join(', ')}`, `Check the file or the column name.${didYouMean(name, available)}`);
    }
  }
  const names = opts.columns ?? available;
  return makeFrame(
    names.map((name) =>
      typeJsonColumn(
        records.map((record) => record[name]),
        { name, declared: opts.dtypes.get(name), inferRows: opts.inferRows, locate: (row) => at(row, name) },
      ),
    ),
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    return `an object with ${keys.length === 0 ? 'no keys' : `keys ${keys.slice(0, 5).map((k) => `\`${k}\``).join(', ')}${keys.length > 5 ? ', ...' : ''}`}`;
  }
  return `${typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : 'a boolean'} (${JSON.stringify(value).slice(0, 40)})`;
}

function hintFor(data: unknown): string {
  if (data && typeof data === 'object') {
    const inner = Object.entries(data as object).find(([, v]) => Array.isArray(v));
    if (inner) return `The records may be the array under \`${inner[0]}\`: save that array as the file's whole content.`;
  }
  return 'Write the file as one JSON array of objects.';
}
