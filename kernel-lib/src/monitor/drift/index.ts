/** Drift statistics with Evidently's defaults (KS, chi-squared, Z, normed Wasserstein, Jensen–Shannon, PSI); pure, no tfjs. */

export { datasetDrift, featureDrift } from './drift';
export type { DatasetDrift, DatasetDriftOptions, DriftColumns, FeatureDrift, FeatureDriftOptions, SampleSummary } from './drift';
export { DEFAULT_THRESHOLDS, DRIFT_METHODS } from './select';
export type { DriftKind, DriftMethod, DriftValue } from './select';
