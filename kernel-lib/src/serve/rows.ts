/** Checks one example of a request against the served model's inputs, so a bad field is a 400 naming it, before it can fail a whole batch. */
import { describeValue, LabbookError } from '../errors';
import type { InputColumn } from './model';

/** A client's mistake in a request: the handler answers 400 with this message. */
export function badRequest(what: string, expected: string, received: string, fix: string): LabbookError {
  return new LabbookError('INVALID_ARGUMENT', `Invalid ${what}: expected ${expected}, received ${received}. ${fix}`);
}

/** The example as predict() takes it (a record of the model's columns, a string, or nested arrays), or a 400. */
export function checkExample(value: unknown, columns: InputColumn[], where: string): unknown {
  const first = columns[0];
  if (first.kind === 'text' || first.kind === 'tensor') return checkValue(value, first, where);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`\`${where}\``, `a record {feature: value} with ${names(columns)}`, describeValue(value), 'Send one object per example.');
  }
  const record = value as Record<string, unknown>;
  const missing = columns.filter((c) => !(c.name in record));
  if (missing.length > 0) {
    throw badRequest(`\`${where}\``, `the features ${names(missing)}`, `a record with ${Object.keys(record).length ? names(Object.keys(record).map((name) => ({ name }))) : 'no fields'}`, 'Add the missing features to every example.');
  }
  // Only the model's columns go on: a stray field cannot change how the others are read.
  return Object.fromEntries(columns.map((c) => [c.name, checkValue(record[c.name], c, `${where}.${c.name}`)]));
}

function checkValue(value: unknown, column: InputColumn, where: string): unknown {
  switch (column.kind) {
    case 'number':
      if (typeof value === 'number' || typeof value === 'boolean') return value;
      throw notNumber(value, where);
    case 'category':
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
      throw badRequest(`\`${where}\``, 'a category (a string, number or boolean)', describeValue(value), 'The model takes no missing values: send the category.');
    case 'text':
      if (typeof value === 'string') return value;
      throw badRequest(`\`${where}\``, 'a string (the raw text)', describeValue(value), 'Send each example as one string.');
    case 'tensor':
      checkTensor(value, column.shape, where, column.shape);
      return value;
  }
}

function notNumber(value: unknown, where: string): LabbookError {
  const nonFinite = typeof value === 'string' && /^[+-]?(nan|inf|infinity)$/i.test(value.trim());
  return badRequest(
    `\`${where}\``,
    'a finite number',
    describeValue(value),
    nonFinite ? 'JSON carries no NaN or Infinity and the model takes none: send a finite number.' : value === null || value === undefined ? 'The model takes no missing values: send a number.' : 'Send the value as a JSON number.',
  );
}

/** Nested arrays of exactly `shape`, finite numbers at the leaves. */
function checkTensor(value: unknown, shape: number[], where: string, whole: number[]): void {
  if (shape.length === 0) {
    if (typeof value !== 'number') throw notNumber(value, where);
    return;
  }
  if (!Array.isArray(value) || value.length !== shape[0]) {
    throw badRequest(
      `\`${where}\``,
      `${shape[0]} values (each example of shape [${whole.join(', ')}])`,
      Array.isArray(value) ? `${value.length}` : describeValue(value),
      'Reshape the input: one example per instance, nested arrays of the model\'s input shape (GET /v1/models/NAME/metadata shows it).',
    );
  }
  // The innermost level is checked in one loop, its element's name built only for a bad one: a 784-pixel example would otherwise build 784 strings per request.
  if (shape.length === 1) {
    for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'number') throw notNumber(value[i], `${where}[${i}]`);
    return;
  }
  value.forEach((v, i) => checkTensor(v, shape.slice(1), `${where}[${i}]`, whole));
}

export function names(columns: { name: string }[]): string {
  return columns.map((c) => `\`${c.name}\``).join(', ');
}
