/** The `model` artifact: what a run stores to predict later (architecture, weight hashes, input contract, labels), and its validation on read. */
import { describeValue, LabbookError } from '../errors';
import type { ModelConfig } from '../models/config';
import type { PipelineState } from '../data/preprocess/pipeline';
import type { VocabularyState } from '../data/text/vocabulary';

export const MODEL_ARTIFACT = 'model';
export const MODEL_PACKAGE_VERSION = 1;

export type ModelTask = 'classification' | 'regression';

/** What predict() takes, as stored: raw table rows, raw strings, or tensors of one shape per example. */
export type StoredInput =
  | { kind: 'table'; features: string[]; pipeline: PipelineState | null; target: string | null }
  | { kind: 'text'; vocabulary: VocabularyState; maxLen: number; truncate: 'start' | 'end'; pad: 'start' | 'end'; stripEmailHeaders: { keep: string[] } | null }
  | { kind: 'tensor'; shape: number[] };

export type StoredArchitecture = { kind: 'config'; config: ModelConfig } | { kind: 'topology'; topology: { [key: string]: unknown } };

export interface ModelPackage {
  kind: 'labbook-model';
  version: 1;
  task: ModelTask;
  /** What the model's output is: the zoo's heads give logits; a hand-built model may end in softmax. */
  outputs: 'logits' | 'probabilities' | 'values';
  architecture: StoredArchitecture;
  /** SHA-256 of checkpoints of this run: the weights at the end, and the best epoch's when train() kept one. */
  weights: { final: string; best: string | null };
  input: StoredInput;
  labels: string[] | null;
}

const SHA = /^[0-9a-f]{64}$/;

/** Checks JSON read from a registry (untrusted) field by field; anything else is MODEL_FORMAT with the fix. */
export function checkModelPackage(value: unknown, runId: number): ModelPackage {
  const bad = (field: string, expected: string, received: unknown) =>
    new LabbookError(
      'MODEL_FORMAT',
      `Artifact "model" of run ${runId} is not a model package: expected ${field} ${expected}, received ${describeValue(received)}. Re-run the experiment so logModel(run, model, {...}) stores it again with this labbook version.`,
    );
  const p = value as Record<string, unknown> | null;
  if (!isRecord(p) || p.kind !== 'labbook-model') throw bad('`kind`', '"labbook-model"', isRecord(p) ? p.kind : p);
  if (p.version !== MODEL_PACKAGE_VERSION) throw bad('`version`', String(MODEL_PACKAGE_VERSION), p.version);
  if (p.task !== 'classification' && p.task !== 'regression') throw bad('`task`', '"classification" or "regression"', p.task);
  if (!['logits', 'probabilities', 'values'].includes(p.outputs as string)) throw bad('`outputs`', '"logits", "probabilities" or "values"', p.outputs);
  const arch = p.architecture as Record<string, unknown>;
  if (!isRecord(arch) || !((arch.kind === 'config' && isRecord(arch.config)) || (arch.kind === 'topology' && isRecord(arch.topology)))) {
    throw bad('`architecture`', '{kind: "config", config: {...}} or {kind: "topology", topology: {...}}', arch);
  }
  const w = p.weights as Record<string, unknown>;
  if (!isRecord(w) || typeof w.final !== 'string' || !SHA.test(w.final)) throw bad('`weights.final`', 'a SHA-256 (64 hex digits)', isRecord(w) ? w.final : w);
  if (w.best !== null && (typeof w.best !== 'string' || !SHA.test(w.best))) throw bad('`weights.best`', 'a SHA-256 or null', w.best);
  if (p.labels !== null && !(Array.isArray(p.labels) && p.labels.every((l) => typeof l === 'string'))) throw bad('`labels`', 'an array of strings or null', p.labels);
  checkInput(p.input, bad);
  return p as unknown as ModelPackage;
}

function checkInput(input: unknown, bad: (field: string, expected: string, received: unknown) => LabbookError): void {
  const i = input as Record<string, unknown>;
  if (!isRecord(i)) throw bad('`input`', 'an object', i);
  if (i.kind === 'table') {
    if (!isStrings(i.features) || i.features.length === 0) throw bad('`input.features`', 'a non-empty array of column names', i.features);
    if (i.pipeline !== null && !isRecord(i.pipeline)) throw bad('`input.pipeline`', 'a pipeline state or null', i.pipeline);
    if (i.target !== null && typeof i.target !== 'string') throw bad('`input.target`', 'a column name or null', i.target);
  } else if (i.kind === 'text') {
    if (!isRecord(i.vocabulary)) throw bad('`input.vocabulary`', 'a vocabulary state', i.vocabulary);
    if (!Number.isSafeInteger(i.maxLen) || (i.maxLen as number) < 1) throw bad('`input.maxLen`', 'a positive integer', i.maxLen);
    if (i.truncate !== 'start' && i.truncate !== 'end') throw bad('`input.truncate`', '"start" or "end"', i.truncate);
    if (i.pad !== 'start' && i.pad !== 'end') throw bad('`input.pad`', '"start" or "end"', i.pad);
    const strip = i.stripEmailHeaders as Record<string, unknown> | null;
    if (strip !== null && !(isRecord(strip) && isStrings(strip.keep))) throw bad('`input.stripEmailHeaders`', '{keep: [header names]} or null', strip);
  } else if (i.kind === 'tensor') {
    if (!Array.isArray(i.shape) || !i.shape.every((d) => Number.isSafeInteger(d) && d > 0)) throw bad('`input.shape`', 'an array of positive integers', i.shape);
  } else {
    throw bad('`input.kind`', '"table", "text" or "tensor"', i.kind);
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function isStrings(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}

/** The columns raw rows must have: each step's fitted columns and the features no step makes, but not the target. */
export function rawColumns(spec: Extract<StoredInput, { kind: 'table' }>): Set<string> {
  const needed = new Set<string>();
  const made = new Set<string>();
  for (const step of spec.pipeline?.steps ?? []) {
    step.columns.forEach((column, i) => {
      if (column === spec.target || made.has(column)) return;
      needed.add(column);
      if (step.kind === 'onehot') for (const category of step.categories[i]) made.add(`${column}_${String(category)}`);
    });
  }
  for (const f of spec.features) if (!made.has(f)) needed.add(f);
  return needed;
}
