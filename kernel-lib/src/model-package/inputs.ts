/** Raw predict() input (rows, strings, arrays) to the model's input tensor, through the stored preprocessing. */
import * as tf from '@tensorflow/tfjs';
import type { DataFrame } from 'danfojs-node';
import { makeFrame, type Cell, type Column } from '../data/frame';
import { featureMatrix } from '../data/tensors';
import type { Pipeline } from '../data/preprocess/pipeline';
import { stripEmailHeaders, tokenize } from '../data/text/tokenize';
import type { Vocabulary } from '../data/text/vocabulary';
import { invalidArgument, LabbookError } from '../errors';
import { rawColumns, type StoredInput } from './spec';

export type TableInput = DataFrame | readonly Record<string, unknown>[];
export type PredictInput = TableInput | readonly string[] | tf.Tensor | readonly unknown[];

export interface Restored {
  pipeline: Pipeline | null;
  vocabulary: Vocabulary | null;
}

/** The model's input tensor; the caller disposes it (unless it is the tensor it was given). */
export function inputTensor(input: PredictInput, spec: StoredInput, restored: Restored): tf.Tensor {
  if (spec.kind === 'table') return tableTensor(input, spec, restored.pipeline);
  if (spec.kind === 'text') return textTensor(input, spec, restored.vocabulary!);
  return tensorInput(input, spec.shape);
}

function tableTensor(input: PredictInput, spec: Extract<StoredInput, { kind: 'table' }>, pipeline: Pipeline | null): tf.Tensor {
  const frame = isFrame(input) ? input : rowsFrame(input);
  const without = spec.target ? [spec.target] : [];
  const missing = [...rawColumns(spec)].filter((c) => !frame.columns.includes(c));
  if (missing.length > 0) {
    throw new LabbookError(
      'INVALID_ARGUMENT',
      `Invalid input rows: expected the columns ${missing.map((c) => `\`${c}\``).join(', ')} (the model's features), received rows with ${frame.columns.length ? frame.columns.map((c: string) => `\`${c}\``).join(', ') : 'no columns'}. Add them${spec.target ? `; the target \`${spec.target}\` is not needed` : ''}.`,
    );
  }
  const out = pipeline ? pipeline.transform(frame, { without }) : frame;
  // The same matrix training built (booleans as 0/1, missing values refused), from the same code.
  return tf.tensor2d(featureMatrix(out, spec.features), [out.shape[0], spec.features.length], 'float32');
}

/** Plain row objects to a frame: numbers float32 (missing as NaN), booleans boolean, anything else string. */
function rowsFrame(input: unknown): DataFrame {
  if (!Array.isArray(input) || input.length === 0 || !input.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))) {
    throw invalidArgument('input', 'a danfo DataFrame or a non-empty array of row objects ({column: value})', input);
  }
  const names: string[] = [];
  for (const row of input) for (const key of Object.keys(row)) if (!names.includes(key)) names.push(key);
  const columns: Column[] = names.map((name) => {
    const raw = input.map((row) => (row as Record<string, unknown>)[name]);
    const present = raw.filter((v) => v !== null && v !== undefined);
    if (present.length > 0 && present.every((v) => typeof v === 'number')) return { name, dtype: 'float32', values: raw.map((v) => (typeof v === 'number' ? v : NaN)) };
    if (present.length > 0 && present.every((v) => typeof v === 'boolean')) return { name, dtype: 'boolean', values: raw.map((v) => (v ?? null) as Cell) };
    return { name, dtype: 'string', values: raw.map((v) => (v === null || v === undefined ? null : String(v))) };
  });
  return makeFrame(columns);
}

function isFrame(x: unknown): x is DataFrame {
  const f = x as { columns?: unknown; values?: unknown } | null;
  return f !== null && typeof f === 'object' && !Array.isArray(f) && Array.isArray(f.columns) && Array.isArray(f.values);
}

function textTensor(input: PredictInput, spec: Extract<StoredInput, { kind: 'text' }>, vocabulary: Vocabulary): tf.Tensor {
  if (!Array.isArray(input) || input.length === 0 || input.some((s) => typeof s !== 'string')) {
    throw invalidArgument('input', 'a non-empty array of strings (raw texts)', input);
  }
  const strip = spec.stripEmailHeaders;
  const tokens = (input as string[]).map((text) => tokenize(strip ? stripEmailHeaders(text, { keep: strip.keep }) : text));
  const rows = vocabulary.encodeBatch(tokens, { maxLen: spec.maxLen, truncate: spec.truncate, pad: spec.pad });
  return tf.tensor2d(rows.flatMap((r) => Array.from(r)), [rows.length, spec.maxLen], 'int32');
}

function tensorInput(input: PredictInput, shape: number[]): tf.Tensor {
  let tensor: tf.Tensor;
  if (input instanceof tf.Tensor) tensor = input;
  else {
    if (!Array.isArray(input) || input.length === 0) throw invalidArgument('input', `a tensor or nested arrays of examples of shape [${shape.join(', ')}]`, input);
    const packed = packExamples(input, shape);
    if (packed) return tf.tensor(packed, [input.length, ...shape], 'float32');
    try {
      tensor = tf.tensor(input as number[], undefined, 'float32');
    } catch (error) {
      throw invalidArgument('input', `nested arrays of numbers, each example of shape [${shape.join(', ')}]`, `arrays tfjs cannot read (${(error as Error).message})`);
    }
  }
  const got = tensor.shape.slice(1);
  if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
    const received = `a batch of shape [${tensor.shape.join(', ')}]`;
    if (tensor !== input) tensor.dispose();
    throw invalidArgument('input', `examples of shape [${shape.join(', ')}] (a batch of shape [n, ${shape.join(', ')}])`, received, 'Reshape the input: one example per row.');
  }
  return tensor;
}

/**
 * Examples that are exactly nested arrays of numbers of the model's shape, packed straight into
 * one Float32Array: tfjs's generic flatten of nested arrays was the server's largest cost on the
 * MNIST MLP. Null when anything differs: tfjs's own path then reads it or says what is wrong.
 */
function packExamples(examples: unknown[], shape: number[]): Float32Array | null {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(examples.length * size);
  let at = 0;
  const pack = (value: unknown, depth: number): boolean => {
    if (!Array.isArray(value) || value.length !== shape[depth]) return false;
    if (depth === shape.length - 1) {
      for (let i = 0; i < value.length; i++) {
        const v = value[i];
        if (typeof v !== 'number') return false;
        out[at++] = v;
      }
      return true;
    }
    for (let i = 0; i < value.length; i++) if (!pack(value[i], depth + 1)) return false;
    return true;
  };
  if (shape.length === 0) return null;
  for (const example of examples) if (!pack(example, 0)) return null;
  return out;
}
