/** The reference profile of a model version: a seeded sample of its training data's features and of its predictions on them, what drift is measured against. */
import { createHash } from 'node:crypto';
import { describeValue, LabbookError } from '../errors';
import type { Prediction, StoredInput } from '../model-package';
import type { DriftValue } from './drift';
import { featureColumns, predictionColumn, type FeatureColumns } from './features';

export const PROFILE_ARTIFACT = 'reference-profile';
/** Evidently switches from tests to distances above 1000 reference rows; a sample of at most this many keeps its tests. */
export const PROFILE_ROWS = 1000;

export interface ColumnSummary {
  kind: 'numerical' | 'categorical';
  count: number;
  missing: number;
  /** Numbers: min, p5, p25, p50, p75, p95, max of the sample. */
  quantiles?: number[];
  /** Categories: how many sampled rows hold each. */
  counts?: Record<string, number>;
}

export interface ReferenceProfile {
  kind: 'labbook-reference-profile';
  version: 1;
  /** Rows the profile was built from, and how many of them were sampled. */
  rows: number;
  sampled: number;
  seed: number;
  features: FeatureColumns;
  prediction: DriftValue[];
  summary: Record<string, ColumnSummary>;
}

/** Builds it from raw training examples and the model's predictions on the sampled ones. */
export function buildProfile(input: StoredInput, examples: readonly unknown[], predict: (sample: unknown[]) => Prediction[], seed: number): ReferenceProfile {
  if (!Array.isArray(examples) || examples.length === 0) {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`reference\`: expected a non-empty array of the training examples (rows, strings or arrays), received ${describeValue(examples)}. Pass the data the model was trained on.`);
  }
  const sample = sampleIndices(examples.length, PROFILE_ROWS, seed).map((i) => examples[i]);
  const features = featureColumns(input, sample);
  const prediction = predictionColumn(predict(sample));
  const summary: Record<string, ColumnSummary> = {};
  for (const [name, values] of Object.entries({ ...features, prediction })) summary[name] = summarize(values);
  return { kind: 'labbook-reference-profile', version: 1, rows: examples.length, sampled: sample.length, seed, features, prediction, summary };
}

/** Its stored form: stable JSON text (the SHA-256 is of these bytes). */
export function profileText(profile: ReferenceProfile): { text: string; sha256: string } {
  const text = JSON.stringify(profile);
  return { text, sha256: createHash('sha256').update(text).digest('hex') };
}

/**
 * Evenly spaced indices, offset by the seed: the same rows for the same seed on every machine,
 * and no Math.random (a training path must stay reproducible).
 */
export function sampleIndices(n: number, k: number, seed: number): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  const offset = (Math.abs(Math.trunc(seed)) % 9973) / 9973;
  return Array.from({ length: k }, (_, i) => Math.min(n - 1, Math.floor(((i + offset) * n) / k)));
}

/** Checks JSON read back from a store; a malformed one is MODEL_FORMAT naming the fix. */
export function checkProfile(value: unknown, where: string): ReferenceProfile {
  const p = value as Partial<ReferenceProfile> | null;
  const ok =
    p !== null &&
    typeof p === 'object' &&
    p.kind === 'labbook-reference-profile' &&
    p.version === 1 &&
    p.features !== null &&
    typeof p.features === 'object' &&
    Object.values(p.features).every(Array.isArray) &&
    Array.isArray(p.prediction);
  if (!ok) {
    throw new LabbookError(
      'MODEL_FORMAT',
      `The reference profile of ${where} is not one: expected {kind: "labbook-reference-profile", version: 1, features, prediction}, received ${describeValue(p)}. Build it again (labbook models register NAME RUN_ID --reference train.csv).`,
    );
  }
  return p as ReferenceProfile;
}

function summarize(values: readonly DriftValue[]): ColumnSummary {
  const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const strings = values.filter((v): v is string => typeof v === 'string');
  const missing = values.length - numbers.length - strings.length;
  if (strings.length > 0) {
    const counts: Record<string, number> = {};
    for (const s of strings) counts[s] = (counts[s] ?? 0) + 1;
    return { kind: 'categorical', count: strings.length, missing, counts };
  }
  const sorted = [...numbers].sort((a, b) => a - b);
  return { kind: 'numerical', count: sorted.length, missing, quantiles: [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1].map((q) => quantile(sorted, q)) };
}

/** Linear interpolation between order statistics (numpy's default); NaN for no values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}
