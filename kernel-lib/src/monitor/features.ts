/** What drift is measured on: a model's raw examples turned into named feature columns, the same way for the training reference and for served traffic. */
import { stripEmailHeaders, tokenize } from '../data/text/tokenize';
import type { ClassPrediction, Prediction, StoredInput } from '../model-package';
import { rawColumns } from '../model-package/spec';
import type { DriftValue } from './drift';

export type FeatureColumns = Record<string, DriftValue[]>;

/**
 * Table models: each raw column as given (strings stay categories, numbers numbers). Text models:
 * a text's length, its token count and the share of its tokens the vocabulary lacks (the signal
 * a transformer loses to [UNK]). Tensor models: mean, standard deviation, min and max per example.
 */
export function featureColumns(input: StoredInput, examples: readonly unknown[]): FeatureColumns {
  if (input.kind === 'table') {
    const names = [...rawColumns(input)];
    const columns: FeatureColumns = Object.fromEntries(names.map((n) => [n, [] as DriftValue[]]));
    for (const example of examples) {
      const record = (example ?? {}) as Record<string, unknown>;
      for (const n of names) columns[n].push(cell(record[n]));
    }
    return columns;
  }
  if (input.kind === 'text') {
    const known = new Set(input.vocabulary.tokens);
    const columns: FeatureColumns = { text_length: [], tokens: [], oov_rate: [] };
    for (const example of examples) {
      const raw = typeof example === 'string' ? example : String(example ?? '');
      const text = input.stripEmailHeaders ? stripEmailHeaders(raw, input.stripEmailHeaders) : raw;
      const tokens = tokenize(text);
      columns.text_length.push(text.length);
      columns.tokens.push(tokens.length);
      columns.oov_rate.push(tokens.length === 0 ? 0 : tokens.filter((t) => !known.has(t)).length / tokens.length);
    }
    return columns;
  }
  const columns: FeatureColumns = { mean: [], std: [], min: [], max: [] };
  for (const example of examples) {
    const values = flat(example);
    const n = values.length || 1;
    const mean = values.reduce((a, b) => a + b, 0) / n;
    columns.mean.push(mean);
    columns.std.push(Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / n));
    columns.min.push(values.length ? Math.min(...values) : null);
    columns.max.push(values.length ? Math.max(...values) : null);
  }
  return columns;
}

/** The prediction as one column: a classifier's label (categorical), a regression's first value. */
export function predictionColumn(predictions: readonly Prediction[]): DriftValue[] {
  return predictions.map((p) => {
    if (p === null || typeof p !== 'object') return null;
    if ('label' in p) return String((p as ClassPrediction).label);
    if ('value' in p) return (p as { value: number }).value;
    if ('values' in p) return ((p as { values: number[] }).values ?? [])[0] ?? null;
    return null;
  });
}

function cell(value: unknown): DriftValue {
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  return null;
}


function flat(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(flat);
  return [];
}
