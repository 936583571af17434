/**
 * Evidently's defaults for one column: what counts as missing, numerical or categorical, and which test runs. Followed:
 * evidentlyai/evidently src/evidently/calculations/stattests/registry.py (_get_default_stattest),
 * src/evidently/utils/data_preprocessing.py (_get_column_type), src/evidently/calculations/data_drift.py
 * (get_one_column_drift: inf → NaN, dropna; get_dataset_drift: share ≥ drift_share) and the stattests/*.py files named
 * in tests.ts.
 */

import { describeValue, LabbookError } from '../../errors';

export type DriftValue = number | string | null | undefined;
export type DriftKind = 'numerical' | 'categorical';
export type DriftMethod = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon' | 'psi';

export const DRIFT_METHODS: readonly DriftMethod[] = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi'];

/** Evidently's default threshold per test: p-values below 0.05, distances at or above 0.1. */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
};

/** Which kinds each test accepts when asked for by name (Evidently's allowed_feature_types). */
export const METHOD_KINDS: Readonly<Record<DriftMethod, readonly DriftKind[]>> = {
  ks: ['numerical'],
  wasserstein: ['numerical'],
  chisquare: ['categorical'],
  z: ['categorical'],
  jensenshannon: ['numerical', 'categorical'],
  psi: ['numerical', 'categorical'],
};

// Evidently: an integer column with at most this many distinct values is categorical.
const NUMBER_UNIQUE_AS_CATEGORICAL = 5;
// Evidently: up to this many reference rows the defaults are tests with p-values; above, distances.
const SMALL_REFERENCE_ROWS = 1000;

export interface CleanColumn {
  /** Values kept: finite numbers or strings, never both. */
  values: number[] | string[];
  rows: number;
  missing: number;
  type: 'number' | 'string';
  /** What pandas would type int64: every value an integer and none missing (a NaN makes the column float64). */
  integerDtype: boolean;
}

/** Drops null, undefined, NaN and ±Infinity (Evidently turns infinities into NaN, then drops NaN) and checks the rest. */
export function cleanColumn(values: unknown, name: string): CleanColumn {
  if (!Array.isArray(values)) {
    throw new LabbookError(
      'INVALID_ARGUMENT',
      `Invalid value for \`${name}\`: expected an array of numbers or strings, received ${describeValue(values)}. Pass one value per row (null where missing).`,
    );
  }
  const numbers: number[] = [];
  const strings: string[] = [];
  let missing = 0;
  let allIntegers = true;
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) missing += 1;
    else if (typeof v === 'number') {
      numbers.push(v);
      if (!Number.isInteger(v)) allIntegers = false;
    } else if (typeof v === 'string') strings.push(v);
    else {
      throw new LabbookError(
        'INVALID_ARGUMENT',
        `Invalid value for \`${name}[${i}]\`: expected a number, a string or null, received ${describeValue(v)}. Convert it to a number or a string first.`,
      );
    }
  }
  if (numbers.length > 0 && strings.length > 0) {
    const first = values.findIndex((v) => typeof v === 'string');
    throw new LabbookError(
      'INVALID_ARGUMENT',
      `Invalid value for \`${name}\`: expected all numbers or all strings, received ${numbers.length} numbers and ${strings.length} strings (the first string at index ${first}). Make the column one type: numbers as numbers, or every value as a string for a categorical feature.`,
    );
  }
  const kept = strings.length > 0 ? strings : numbers;
  if (kept.length === 0) {
    throw new LabbookError(
      'INVALID_ARGUMENT',
      `Invalid value for \`${name}\`: expected at least one value that is not missing, received ${values.length} rows, all null, NaN or infinite. Drift needs values on both sides; leave this feature out.`,
    );
  }
  return {
    values: kept,
    rows: values.length,
    missing,
    type: strings.length > 0 ? 'string' : 'number',
    integerDtype: strings.length === 0 && allIntegers && missing === 0,
  };
}

/**
 * Evidently's _get_column_type for features: strings are categorical; an integer column (typed by the current data, as
 * Evidently reads current's dtype first) with ≤ 5 distinct reference values (current's if the reference has none) is
 * categorical; other numbers are numerical.
 */
export function inferKind(reference: CleanColumn, current: CleanColumn): DriftKind {
  if (reference.type === 'string' || current.type === 'string') return 'categorical';
  if (current.integerDtype) {
    const distinct = new Set<number | string>(reference.values).size || new Set<number | string>(current.values).size;
    if (distinct <= NUMBER_UNIQUE_AS_CATEGORICAL) return 'categorical';
  }
  return 'numerical';
}

/**
 * Evidently's _get_default_stattest. n = distinct values over both samples. Reference ≤ 1000 rows: numerical → KS
 * (but n ≤ 5: chi-squared, or the Z test for n ≤ 2); categorical → chi-squared, or Z for n ≤ 2. Reference > 1000 rows:
 * numerical → normed Wasserstein (n ≤ 5: Jensen–Shannon); categorical → Jensen–Shannon. Rows are counted after
 * missing values are dropped.
 */
export function defaultMethod(kind: DriftKind, reference: CleanColumn, current: CleanColumn): DriftMethod {
  const distinct = new Set<number | string>([...reference.values, ...current.values]).size;
  if (reference.values.length <= SMALL_REFERENCE_ROWS) {
    if (kind === 'numerical' && distinct > NUMBER_UNIQUE_AS_CATEGORICAL) return 'ks';
    return distinct > 2 ? 'chisquare' : 'z';
  }
  if (kind === 'numerical' && distinct > NUMBER_UNIQUE_AS_CATEGORICAL) return 'wasserstein';
  return 'jensenshannon';
}

export function checkMethod(method: unknown, name: string): DriftMethod {
  if (typeof method === 'string' && (DRIFT_METHODS as readonly string[]).includes(method)) return method as DriftMethod;
  throw new LabbookError(
    'INVALID_ARGUMENT',
    `Invalid value for \`${name}\`: expected one of ${DRIFT_METHODS.join(', ')}, received ${describeValue(method)}. Pass one of those, or leave it out for Evidently's default.`,
  );
}

export function checkKind(kind: unknown, name: string): DriftKind {
  if (kind === 'numerical' || kind === 'categorical') return kind;
  throw new LabbookError(
    'INVALID_ARGUMENT',
    `Invalid value for \`${name}\`: expected "numerical" or "categorical", received ${describeValue(kind)}. Pass one of those, or leave it out to infer it as Evidently does.`,
  );
}

export function checkThreshold(threshold: unknown, name: string): number {
  if (typeof threshold === 'number' && Number.isFinite(threshold) && threshold >= 0) return threshold;
  throw new LabbookError(
    'INVALID_ARGUMENT',
    `Invalid value for \`${name}\`: expected a finite number ≥ 0, received ${describeValue(threshold)}. Pass a p-value level (0.05) or a distance (0.1).`,
  );
}
