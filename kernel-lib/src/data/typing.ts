/** Raw cells (CSV text, JSON values) to typed columns: dtype inference and checked conversion. */
import { DataFormatError, quote, type DataLocation } from './errors';
import type { Cell, Column, Dtype } from './frame';

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const BOOLEAN = /^(?:true|false)$/i;
const INT32_MAX = 2147483647;
// Numeric columns are float32: a value past its range (1e39, or 1e400, which Number() reads as
// Infinity) would become Infinity in a tensor without a word, so it is refused where it is.
const FLOAT32_MAX = 3.4028234663852886e38;

type Kind = 'number' | 'boolean' | 'string';

export interface TypingContext {
  name: string;
  /** The dtype the caller declared, if any. */
  declared?: Dtype;
  /** How many non-missing CSV cells decide an undeclared column's kind. */
  inferRows: number;
  /** Where row `row` (0-based data row) of this column is, for error messages. */
  locate: (row: number) => DataLocation;
}

// Inference looks at the first `inferRows` non-missing cells of a column. A later cell
// that does not fit is an error naming its line, not a silent switch of the whole column to
// text: a typo on line 5,000 of a numeric column should be found, not trained on.

/** A CSV column: every cell is text; `missing` lists the texts that mean "no value". */
export function typeCsvColumn(cells: readonly string[], missing: ReadonlySet<string>, ctx: TypingContext): Column {
  const kind = ctx.declared ? kindOf(ctx.declared) : inferCsvKind(cells, missing, ctx.inferRows);
  const values: Cell[] = new Array(cells.length);
  let integral = true;
  let anyMissing = false;
  for (let r = 0; r < cells.length; r++) {
    const cell = cells[r];
    if (missing.has(cell)) {
      anyMissing = true;
      values[r] = kind === 'number' ? NaN : null;
      if (ctx.declared === 'int32') throw intMissing(ctx, r, cell);
      continue;
    }
    if (kind === 'string') {
      values[r] = cell;
      continue;
    }
    const text = cell.trim();
    if (kind === 'boolean') {
      if (!BOOLEAN.test(text)) throw mismatch(ctx, r, 'true or false', cell);
      values[r] = text.toLowerCase() === 'true';
      continue;
    }
    if (!NUMBER.test(text)) throw mismatch(ctx, r, 'a number', cell);
    const value = Number(text);
    checkRange(ctx, r, value, cell);
    if (!(INTEGER.test(text) && Math.abs(value) <= INT32_MAX)) {
      integral = false;
      if (ctx.declared === 'int32') throw mismatch(ctx, r, 'an integer from -2147483647 to 2147483647', cell);
    }
    values[r] = Object.is(value, -0) ? 0 : value;
  }
  return { name: ctx.name, dtype: finalDtype(kind, ctx.declared, integral, anyMissing, cells.length), values };
}

/** A JSON column: values are JSON scalars (null or absent means missing). */
export function typeJsonColumn(raw: readonly unknown[], ctx: TypingContext): Column {
  const kind = ctx.declared ? kindOf(ctx.declared) : inferJsonKind(raw);
  const values: Cell[] = new Array(raw.length);
  let integral = true;
  let anyMissing = false;
  for (let r = 0; r < raw.length; r++) {
    const value = raw[r];
    if (value === null || value === undefined) {
      anyMissing = true;
      values[r] = kind === 'number' ? NaN : null;
      if (ctx.declared === 'int32') throw intMissing(ctx, r, value);
      continue;
    }
    if (typeof value === 'object') throw mismatch(ctx, r, 'a number, string, boolean or null', value, 'Nested objects and arrays do not fit a table column; flatten the records first.');
    if (kind === 'string') {
      // A declared string column takes numbers and booleans as their text; an inferred one does not.
      if (typeof value !== 'string' && !ctx.declared) throw mismatch(ctx, r, 'a string', value);
      values[r] = String(value);
    } else if (kind === 'boolean') {
      if (typeof value !== 'boolean') throw mismatch(ctx, r, 'true or false', value);
      values[r] = value;
    } else {
      let number: number;
      if (typeof value === 'number') number = value;
      else if (ctx.declared && typeof value === 'string' && NUMBER.test(value.trim())) number = Number(value.trim());
      else throw mismatch(ctx, r, 'a number', value);
      checkRange(ctx, r, number, value);
      if (!(Number.isInteger(number) && Math.abs(number) <= INT32_MAX)) {
        integral = false;
        if (ctx.declared === 'int32') throw mismatch(ctx, r, 'an integer from -2147483647 to 2147483647', value);
      }
      values[r] = Object.is(number, -0) ? 0 : number;
    }
  }
  return { name: ctx.name, dtype: finalDtype(kind, ctx.declared, integral, anyMissing, raw.length), values };
}

function checkRange(ctx: TypingContext, row: number, value: number, received: unknown): void {
  if (Math.abs(value) <= FLOAT32_MAX) return;
  throw new DataFormatError(
    ctx.locate(row),
    `a number within float32 range (magnitude at most 3.4e38; numeric columns are float32)`,
    Number.isFinite(value) ? quote(received) : `${quote(received)}, past even float64's range`,
    `Fix or rescale the value, or read the column as text: dtypes: { ${JSON.stringify(ctx.name)}: 'string' }.`,
  );
}

function kindOf(dtype: Dtype): Kind {
  return dtype === 'float32' || dtype === 'int32' ? 'number' : dtype;
}

function inferCsvKind(cells: readonly string[], missing: ReadonlySet<string>, inferRows: number): Kind {
  let seen = 0;
  let number = true;
  let boolean = true;
  for (const cell of cells) {
    if (missing.has(cell)) continue;
    const text = cell.trim();
    number &&= NUMBER.test(text);
    boolean &&= BOOLEAN.test(text);
    if (!number && !boolean) return 'string';
    if (++seen >= inferRows) break;
  }
  // A column with no values at all is numeric (all NaN), as pandas reads it.
  return seen === 0 || number ? 'number' : 'boolean';
}

function inferJsonKind(raw: readonly unknown[]): Kind {
  // JSON values carry their type: the first scalar decides, and a later value of another type
  // is reported where it is.
  for (const value of raw) {
    if (value === null || value === undefined || typeof value === 'object') continue;
    return typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string';
  }
  return 'number';
}

function finalDtype(kind: Kind, declared: Dtype | undefined, integral: boolean, anyMissing: boolean, n: number): Dtype {
  if (declared) return declared;
  if (kind !== 'number') return kind;
  // int32 cannot hold NaN, so a column with gaps is float32 (pandas does the same with int64).
  return integral && !anyMissing && n > 0 ? 'int32' : 'float32';
}

function mismatch(ctx: TypingContext, row: number, expected: string, received: unknown, fix?: string): DataFormatError {
  const why = ctx.declared ? `(the column is declared ${ctx.declared})` : `(the column's first values are ${describeKind(expected)})`;
  const hint = fix ?? (ctx.declared
    ? `Fix the value, or declare another dtype for \`${ctx.name}\`.`
    : `Fix the value, list it in \`missing\`, or declare it: dtypes: { ${JSON.stringify(ctx.name)}: 'string' }.`);
  return new DataFormatError(ctx.locate(row), `${expected} ${why}`, quote(received), hint);
}

function describeKind(expected: string): string {
  if (expected.startsWith('a number')) return 'numbers';
  if (expected.startsWith('true')) return 'booleans';
  if (expected.startsWith('a string')) return 'strings';
  return 'of one type';
}

function intMissing(ctx: TypingContext, row: number, received: unknown): DataFormatError {
  return new DataFormatError(ctx.locate(row), 'an integer (the column is declared int32, which has no missing value)', `a missing value (${quote(received)})`, `Declare \`${ctx.name}\` float32 to keep missing values as NaN, or fill them.`);
}
