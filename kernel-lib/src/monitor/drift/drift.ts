/** Drift of one feature and of a dataset, with Evidently's defaults; the statistics only (no storage, no serving). */

import { describeValue, LabbookError } from '../../errors';
import { ks2samp } from './kolmogorov';
import {
  checkKind,
  checkMethod,
  checkThreshold,
  cleanColumn,
  DEFAULT_THRESHOLDS,
  defaultMethod,
  inferKind,
  METHOD_KINDS,
  type CleanColumn,
  type DriftKind,
  type DriftMethod,
  type DriftValue,
} from './select';
import {
  binnedShares,
  chiSquareTest,
  jensenShannonDistance,
  populationStabilityIndex,
  wassersteinNormed,
  zTest,
  type TestOutcome,
} from './tests';

export interface FeatureDriftOptions {
  /** Numerical or categorical; inferred as Evidently does when left out. */
  kind?: DriftKind;
  /** The test; Evidently's default for the kind and the reference size when left out. */
  method?: DriftMethod;
  /** p-value level for ks/chisquare/z (drift below it), distance for wasserstein/jensenshannon/psi (drift at or above). */
  threshold?: number;
}

export interface SampleSummary {
  /** Rows given, missing ones included. */
  rows: number;
  /** Rows dropped as missing: null, undefined, NaN or ±Infinity. */
  missing: number;
}

export interface FeatureDrift {
  method: DriftMethod;
  kind: DriftKind;
  /** KS D, chi-squared, Z, normed Wasserstein distance, Jensen–Shannon distance or PSI. */
  statistic: number;
  /** The test's p-value; null for the distances (wasserstein, jensenshannon, psi). */
  pValue: number | null;
  threshold: number;
  drifted: boolean;
  reference: SampleSummary;
  current: SampleSummary;
}

/** Drift of one feature between a reference sample (training data) and a current one (traffic). */
export function featureDrift(
  reference: readonly DriftValue[],
  current: readonly DriftValue[],
  options: FeatureDriftOptions = {},
): FeatureDrift {
  return columnDrift(reference, current, options, '');
}

function columnDrift(
  reference: readonly DriftValue[],
  current: readonly DriftValue[],
  options: FeatureDriftOptions,
  label: string,
): FeatureDrift {
  const ref = cleanColumn(reference, `reference${label}`);
  const cur = cleanColumn(current, `current${label}`);
  if (ref.type !== cur.type) {
    throw new LabbookError(
      'INVALID_ARGUMENT',
      `Invalid value for \`current${label}\`: expected ${ref.type}s like the reference, received ${cur.type}s. Give the feature the same type on both sides.`,
    );
  }
  const kindName = label ? `kinds${label}` : 'kind';
  const methodName = label ? `methods${label}` : 'method';
  const kind = options.kind === undefined ? inferKind(ref, cur) : checkKind(options.kind, kindName);
  if (kind === 'numerical' && ref.type === 'string') {
    throw new LabbookError(
      'INVALID_ARGUMENT',
      `Invalid value for \`${kindName}\`: expected "categorical" for a feature of strings, received "numerical". Convert the values to numbers, or leave \`kind\` out.`,
    );
  }
  let method: DriftMethod;
  if (options.method === undefined) method = defaultMethod(kind, ref, cur);
  else {
    method = checkMethod(options.method, methodName);
    if (!METHOD_KINDS[method].includes(kind)) {
      throw new LabbookError(
        'INVALID_ARGUMENT',
        `Invalid value for \`${methodName}\`: expected a test for a ${kind} feature (${methodsFor(kind)}), received ${describeValue(method)}, which takes ${METHOD_KINDS[method].join(' or ')} features only. Pick one of those or pass \`kind\`.`,
      );
    }
  }
  const threshold = options.threshold === undefined ? DEFAULT_THRESHOLDS[method] : checkThreshold(options.threshold, label ? `thresholds${label}` : 'threshold');
  const outcome = runMethod(method, kind, ref, cur);
  return {
    method,
    kind,
    statistic: outcome.statistic,
    pValue: outcome.pValue,
    threshold,
    drifted: isDrift(method, outcome, threshold),
    reference: { rows: ref.rows, missing: ref.missing },
    current: { rows: cur.rows, missing: cur.missing },
  };
}

function methodsFor(kind: DriftKind): string {
  return (Object.keys(METHOD_KINDS) as DriftMethod[]).filter((m) => METHOD_KINDS[m].includes(kind)).join(', ');
}

function runMethod(method: DriftMethod, kind: DriftKind, ref: CleanColumn, cur: CleanColumn): TestOutcome {
  const numerical = kind === 'numerical';
  const integerValued = ref.integerDtype && cur.integerDtype;
  switch (method) {
    case 'ks':
      return ks2samp(ref.values as number[], cur.values as number[]);
    case 'chisquare':
      return chiSquareTest(ref.values, cur.values);
    case 'z':
      return zTest(ref.values, cur.values);
    case 'wasserstein':
      return { statistic: wassersteinNormed(ref.values as number[], cur.values as number[]), pValue: null };
    case 'jensenshannon': {
      const [p, q] = binnedShares(ref.values, cur.values, numerical, integerValued, false);
      return { statistic: jensenShannonDistance(p, q), pValue: null };
    }
    case 'psi': {
      const [p, q] = binnedShares(ref.values, cur.values, numerical, integerValued, true);
      return { statistic: populationStabilityIndex(p, q), pValue: null };
    }
  }
}

/** Evidently's verdicts: KS drifts at p ≤ threshold, chi-squared and Z at p < threshold, distances at ≥ threshold. */
function isDrift(method: DriftMethod, outcome: TestOutcome, threshold: number): boolean {
  if (method === 'ks') return (outcome.pValue as number) <= threshold;
  if (outcome.pValue !== null) return outcome.pValue < threshold;
  return outcome.statistic >= threshold;
}

/** Columns by feature name, one value per row: `{ age: [31, 45, null], plan: ['free', 'pro', 'pro'] }`. */
export type DriftColumns = Readonly<Record<string, readonly DriftValue[]>>;

export interface DatasetDriftOptions {
  /** Features to test; by default every feature present on both sides (the others are listed in `skipped`). */
  features?: readonly string[];
  /** Per-feature kind, method and threshold, over the defaults. */
  kinds?: Readonly<Record<string, DriftKind>>;
  methods?: Readonly<Record<string, DriftMethod>>;
  thresholds?: Readonly<Record<string, number>>;
  /** One method or threshold for every feature (a per-feature entry wins). */
  method?: DriftMethod;
  threshold?: number;
  /** Share of drifted features at or above which the dataset drifts (Evidently's drift_share, 0.5). */
  driftShare?: number;
}

export interface DatasetDrift {
  features: Record<string, FeatureDrift>;
  /** Features on one side only, left out as Evidently leaves out partially present columns. */
  skipped: string[];
  driftedFeatures: number;
  /** driftedFeatures / number of features tested (Evidently's dataset_drift_score). */
  share: number;
  driftShare: number;
  /** share ≥ driftShare. */
  drifted: boolean;
}

/** Drift of every feature and Evidently's dataset-level verdict. */
export function datasetDrift(reference: DriftColumns, current: DriftColumns, options: DatasetDriftOptions = {}): DatasetDrift {
  for (const [name, table] of [['reference', reference], ['current', current]] as const) {
    if (table === null || typeof table !== 'object' || Array.isArray(table)) {
      throw new LabbookError(
        'INVALID_ARGUMENT',
        `Invalid value for \`${name}\`: expected columns by feature name ({ feature: [values] }), received ${describeValue(table)}. Turn records into columns first (one array per feature).`,
      );
    }
  }
  const driftShare = options.driftShare ?? 0.5;
  if (typeof driftShare !== 'number' || !(driftShare >= 0 && driftShare <= 1)) {
    throw new LabbookError(
      'INVALID_ARGUMENT',
      `Invalid value for \`driftShare\`: expected a number from 0 to 1, received ${describeValue(driftShare)}. Pass the share of drifted features that flags the dataset (Evidently's default is 0.5).`,
    );
  }
  const inBoth = Object.keys(reference).filter((k) => Object.hasOwn(current, k));
  const skipped = [...Object.keys(reference), ...Object.keys(current)].filter((k) => !inBoth.includes(k));
  const names = options.features ?? inBoth;
  for (const name of names) {
    if (!Object.hasOwn(reference, name) || !Object.hasOwn(current, name)) {
      const side = Object.hasOwn(reference, name) ? 'current' : 'reference';
      throw new LabbookError(
        'NOT_FOUND',
        `Unknown feature in \`features\`: expected a column of both tables, received ${describeValue(name)}, which the ${side} data lacks. Add the column or leave the feature out.`,
      );
    }
  }
  if (names.length === 0) {
    throw new LabbookError(
      'INVALID_ARGUMENT',
      `Invalid value for \`features\`: expected at least one feature present in both tables, received none. Pass columns with the same names on both sides.`,
    );
  }
  const features: Record<string, FeatureDrift> = {};
  let driftedFeatures = 0;
  for (const name of names) {
    const result = columnDrift(
      reference[name],
      current[name],
      {
        kind: options.kinds?.[name],
        method: options.methods?.[name] ?? options.method,
        threshold: options.thresholds?.[name] ?? options.threshold,
      },
      `.${name}`,
    );
    features[name] = result;
    if (result.drifted) driftedFeatures += 1;
  }
  const share = driftedFeatures / names.length;
  return { features, skipped: options.features ? [] : skipped, driftedFeatures, share, driftShare, drifted: share >= driftShare };
}
