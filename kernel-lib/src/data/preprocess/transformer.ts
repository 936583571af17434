/** What every preprocessing step shares: the Transformer contract, its JSON states, argument checks. */
import type { DataFrame } from 'danfojs-node';
import { invalidArgument, LabbookError, withArticle } from '../../errors';
import { checkFrame, isNumericDtype, missingColumn, readColumns, type Column } from '../frame';

export type Category = string | number | boolean;

export type StandardizerState = { kind: 'standardizer'; version: 1; columns: string[]; mean: number[]; scale: number[] };
export type MinMaxScalerState = { kind: 'minmax'; version: 1; columns: string[]; min: number[]; scale: number[] };
export type OneHotEncoderState = { kind: 'onehot'; version: 1; columns: string[]; categories: Category[][]; unknown: UnknownPolicy };
export type LabelEncoderState = { kind: 'label'; version: 1; columns: string[]; classes: Category[][]; unknown: UnknownPolicy };
export type TransformerState = StandardizerState | MinMaxScalerState | OneHotEncoderState | LabelEncoderState;

/** What an encoder does with a category it did not see when fitting: throw, or encode it as "none". */
export type UnknownPolicy = 'error' | 'ignore';

/**
 * A preprocessing step. `fit` learns its statistics from one frame (the training split, never the
 * whole data: statistics of validation or test rows would leak into training) and `transform`
 * applies them to any frame with those columns. The JSON state restores an equal step.
 */
export interface Transformer {
  readonly kind: TransformerState['kind'];
  readonly fitted: boolean;
  fit(frame: DataFrame, columns: string[]): this;
  transform(frame: DataFrame): DataFrame;
  fitTransform(frame: DataFrame, columns: string[]): DataFrame;
  toJSON(): TransformerState;
}

/** The named columns, checked: a non-empty list of distinct names the frame has. */
export function fitColumns(frame: DataFrame, columns: unknown): Column[] {
  checkFrame(frame);
  if (!Array.isArray(columns) || columns.length === 0 || columns.some((c) => typeof c !== 'string')) {
    throw invalidArgument('columns', 'a non-empty array of column names', columns);
  }
  if (new Set(columns).size !== columns.length) throw invalidArgument('columns', 'distinct column names', columns);
  for (const name of columns as string[]) if (!frame.columns.includes(name)) throw missingColumn(name, frame.columns, 'columns');
  return readColumns(frame, columns as string[]);
}

/** Throws unless the frame has every named column (a transform needs the columns it was fitted on). */
export function requireColumns(frame: DataFrame, names: readonly string[]): void {
  checkFrame(frame);
  for (const name of names) if (!frame.columns.includes(name)) throw missingColumn(name, frame.columns, 'columns');
}

/** The numbers of a numeric column, NaN for missing; throws for another dtype. */
export function numbers(column: Column, step: string): number[] {
  if (!isNumericDtype(column.dtype)) {
    throw invalidArgument(column.name, `a numeric column (float32 or int32) for ${step}`, `${withArticle(column.dtype)} column`, 'Encode categories with OneHotEncoder or LabelEncoder instead.');
  }
  return column.values.map((v) => (typeof v === 'number' ? v : NaN));
}

export function notFitted(kind: string): LabbookError {
  return new LabbookError('INVALID_ARGUMENT', `Invalid use of ${kind}: expected a fitted transformer, received one that was never fitted. Call fit(trainFrame, columns) first.`);
}

/** Checks the common part of a state read back from JSON. */
export function checkState(state: unknown, kind: TransformerState['kind'], arrays: string[]): Record<string, unknown> {
  const s = state as Record<string, unknown> | null;
  if (!s || typeof s !== 'object' || s.kind !== kind || s.version !== 1) {
    throw invalidArgument('state', `${withArticle(kind)} state with version 1 (from toJSON())`, state);
  }
  const columns = s.columns;
  if (!Array.isArray(columns) || columns.length === 0 || columns.some((c) => typeof c !== 'string')) {
    throw invalidArgument('state.columns', 'a non-empty array of column names', columns);
  }
  for (const key of arrays) {
    const value = s[key];
    if (!Array.isArray(value) || value.length !== columns.length) throw invalidArgument(`state.${key}`, `an array of ${columns.length}, one per column`, value);
  }
  return s;
}

/** Distinct non-missing values of a column, sorted (numbers and booleans by value, strings by code unit). */
export function distinctSorted(column: Column): Category[] {
  const seen = new Set<Category>();
  for (const v of column.values) if (v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v))) seen.add(v);
  return [...seen].sort(compareCategories);
}

export function compareCategories(a: Category, b: Category): number {
  if (typeof a !== typeof b) return typeof a < typeof b ? -1 : 1;
  if (typeof a === 'string') return a < (b as string) ? -1 : a > (b as string) ? 1 : 0;
  return Number(a) - Number(b);
}

export function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

export function checkUnknown(policy: unknown): UnknownPolicy {
  if (policy !== 'error' && policy !== 'ignore') throw invalidArgument('unknown', "'error' or 'ignore'", policy);
  return policy;
}
