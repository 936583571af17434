/** logModel: records in a run everything needed to predict later (the `model` artifact); it never changes training. */
import type * as tf from '@tensorflow/tfjs';
import type { Pipeline } from '../data/preprocess/pipeline';
import type { Vocabulary } from '../data/text/vocabulary';
import { invalidArgument } from '../errors';
import { builtConfig } from '../models/build';
import type { ArtifactRecord } from '../registry/types';
import type { Run } from '../registry/run';
import { serializeWeights } from '../repro/checkpoint';
import { sha256 } from '../repro/hash';
import { buildProfile, profileText, PROFILE_ARTIFACT, PROFILE_ROWS, sampleIndices } from '../monitor/profile';
import { referenceExamples } from '../monitor/reference';
import { ReadyModel } from './load';
import { MODEL_ARTIFACT, type ModelPackage, type ModelTask, type StoredArchitecture, type StoredInput } from './spec';

/** The input contract: how raw input becomes the model's input tensor. */
export type ModelInput =
  /** Rows with named columns: the fitted pipeline is applied (its target step skipped), then `features` are taken in order. */
  | { kind: 'table'; features: readonly string[]; pipeline?: Pipeline; target?: string }
  /** Raw strings: optional header stripping, tokenize(), then the vocabulary's ids padded to maxLen. */
  | { kind: 'text'; vocabulary: Vocabulary; maxLen: number; truncate?: 'start' | 'end'; pad?: 'start' | 'end'; stripEmailHeaders?: { keep?: string[] } }
  /** Numbers already shaped per example (default: the model's input shape). */
  | { kind: 'tensor'; shape?: readonly number[] };

export interface LogModelSpec {
  input: ModelInput;
  /** Needed only for a model not built by buildModel (the zoo's config says it). */
  task?: ModelTask;
  /** Class names in code order; default: the classes of the pipeline's LabelEncoder fitted on the target. */
  labels?: readonly (string | number | boolean)[];
  /** train()'s history: its best checkpoint becomes loadModel(id, {checkpoint: 'best'}). */
  history?: { checkpoint: { best: { sha256: string } | null } | null };
  /**
   * The training data (rows, a DataFrame, strings, arrays or the input tensor): a sample of up to 1000 of its
   * examples, chosen from the run's seed, and the model's predictions on them are stored as the
   * run's `reference-profile` artifact, what `labbook monitor` measures drift against.
   */
  reference?: unknown;
}

/**
 * Stores the `model` artifact. Weights are a checkpoint of the model as it is now: the run's
 * latest checkpoint when its bytes are equal (train() just saved it), else a new one.
 */
export async function logModel(run: Run, model: tf.LayersModel, spec: LogModelSpec): Promise<ArtifactRecord> {
  if (!run || typeof run.logArtifact !== 'function') throw invalidArgument('run', 'a running Run (registry.startRun(...) or the experiment context)', run);
  if (!model || typeof model.getWeights !== 'function') throw invalidArgument('model', 'a tfjs LayersModel', model);
  if (!spec || typeof spec !== 'object') throw invalidArgument('spec', 'an object with an `input` contract, e.g. {input: {kind: "tensor"}}', spec);
  const config = builtConfig(model);
  const architecture: StoredArchitecture = config ? { kind: 'config', config } : { kind: 'topology', topology: anonymousTopology(model) };
  const task = spec.task ?? (config?.task as ModelTask | undefined);
  if (task !== 'classification' && task !== 'regression') {
    throw invalidArgument('spec.task', '"classification" or "regression" (a model not built by buildModel does not say)', task);
  }
  const input = storedInput(spec.input, model);
  const bytes = await serializeWeights(model);
  const sha = sha256(bytes);
  const latest = run.latestCheckpoint();
  const final = latest?.sha256 === sha ? sha : run.saveCheckpoint(bytes).sha256;
  const pkg: ModelPackage = {
    kind: 'labbook-model',
    version: 1,
    task,
    outputs: task === 'regression' ? 'values' : config || !endsInSoftmax(model) ? 'logits' : 'probabilities',
    architecture,
    weights: { final, best: spec.history?.checkpoint?.best?.sha256 ?? null },
    input,
    labels: labelsOf(spec, input, task),
  };
  const record = run.logArtifact(MODEL_ARTIFACT, pkg as unknown as import('../registry/types').Json);
  if (spec.reference !== undefined) logReference(run, model, spec, pkg);
  return record;
}

/** The reference profile, predicted by the model as it is now through the same code loadModel's predict() runs. */
function logReference(run: Run, model: tf.LayersModel, spec: LogModelSpec, pkg: ModelPackage): void {
  const input = spec.input;
  const ready = new ReadyModel(
    run.id,
    model,
    pkg.task,
    pkg.labels ?? (pkg.task === 'classification' ? Array.from({ length: model.outputs[0].shape[model.outputs[0].shape.length - 1] ?? 0 }, (_, i) => String(i)) : null),
    pkg.input,
    pkg.outputs,
    input.kind === 'table' ? (input.pipeline ?? null) : null,
    input.kind === 'text' ? input.vocabulary : null,
  );
  const predict = (sample: unknown[]) => ready.predict(sample as never);
  const reference = spec.reference;
  const profile = isTensor(reference)
    ? tensorProfile(pkg.input, reference, predict, run.seed)
    : buildProfile(pkg.input, referenceExamples(reference), predict, run.seed);
  run.logArtifact(PROFILE_ARTIFACT, profileText(profile).text, { mediaType: 'application/json' });
}

function isTensor(value: unknown): value is tf.Tensor {
  return typeof value === 'object' && value !== null && Array.isArray((value as tf.Tensor).shape) && typeof (value as tf.Tensor).gather === 'function';
}

/** A training tensor: only the sampled examples leave it as arrays (all of MNIST as nested arrays would be ~50 MB). */
function tensorProfile(input: StoredInput, x: tf.Tensor, predict: (sample: unknown[]) => unknown[], seed: number) {
  const rows = x.shape[0] ?? 0;
  const picked = x.gather(sampleIndices(rows, PROFILE_ROWS, seed));
  const examples = picked.arraySync() as unknown[];
  picked.dispose();
  // The same rows buildProfile would pick from all of them; it keeps them all (≤ 1000), and the count is the tensor's.
  return { ...buildProfile(input, examples, predict as never, seed), rows };
}

function storedInput(input: ModelInput, model: tf.LayersModel): StoredInput {
  if (!input || typeof input !== 'object') throw invalidArgument('spec.input', '{kind: "table" | "text" | "tensor", ...}', input);
  switch (input.kind) {
    case 'table': {
      if (!Array.isArray(input.features) || input.features.length === 0 || input.features.some((f) => typeof f !== 'string')) {
        throw invalidArgument('spec.input.features', 'the feature column names, in the order the model takes them', input.features);
      }
      if (input.pipeline !== undefined && !input.pipeline.fitted) throw invalidArgument('spec.input.pipeline', 'a fitted Pipeline', 'one never fitted');
      if (input.target !== undefined && typeof input.target !== 'string') throw invalidArgument('spec.input.target', 'the target column name', input.target);
      return { kind: 'table', features: [...input.features], pipeline: input.pipeline?.toJSON() ?? null, target: input.target ?? null };
    }
    case 'text': {
      if (!input.vocabulary || typeof input.vocabulary.toJSON !== 'function') throw invalidArgument('spec.input.vocabulary', 'a Vocabulary', input.vocabulary);
      if (!Number.isSafeInteger(input.maxLen) || input.maxLen < 1) throw invalidArgument('spec.input.maxLen', 'a positive integer', input.maxLen);
      const strip = input.stripEmailHeaders;
      return {
        kind: 'text',
        vocabulary: input.vocabulary.toJSON(),
        maxLen: input.maxLen,
        truncate: input.truncate ?? 'end',
        pad: input.pad ?? 'end',
        stripEmailHeaders: strip ? { keep: [...(strip.keep ?? [])] } : null,
      };
    }
    case 'tensor': {
      const shape = input.shape ?? model.inputs[0].shape.slice(1);
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) > 0)) {
        throw invalidArgument('spec.input.shape', 'the shape of one example (positive integers)', shape);
      }
      return { kind: 'tensor', shape: [...(shape as number[])] };
    }
    default:
      throw invalidArgument('spec.input.kind', '"table", "text" or "tensor"', (input as { kind?: unknown }).kind);
  }
}

function labelsOf(spec: LogModelSpec, input: StoredInput, task: ModelTask): string[] | null {
  if (task !== 'classification') return null;
  if (spec.labels !== undefined) {
    if (!Array.isArray(spec.labels)) throw invalidArgument('spec.labels', 'the class names in code order', spec.labels);
    return spec.labels.map(String);
  }
  if (input.kind !== 'table' || !input.pipeline || !input.target) return null;
  const target = input.target;
  const step = input.pipeline.steps.find((s) => s.kind === 'label' && s.columns.includes(target));
  return step && step.kind === 'label' ? step.classes[step.columns.indexOf(target)].map(String) : null;
}

function endsInSoftmax(model: tf.LayersModel): boolean {
  const last = model.layers[model.layers.length - 1];
  return (last?.getConfig() as { activation?: unknown }).activation === 'softmax';
}

/**
 * tfjs's topology with layer and model names replaced by their position: tfjs names layers from
 * a process-wide counter, and names in the stored bytes would make two same-seed runs differ.
 */
function anonymousTopology(model: tf.LayersModel): { [key: string]: unknown } {
  const topology = model.toJSON(null, false) as unknown as { config?: { name?: string; layers?: { name?: string; config?: { name?: string } }[] } };
  const rename = new Map<string, string>();
  if (typeof topology.config?.name === 'string') rename.set(topology.config.name, 'model');
  (topology.config?.layers ?? []).forEach((layer, i) => {
    const name = layer.config?.name ?? layer.name;
    if (typeof name === 'string') rename.set(name, `layer_${i}`);
  });
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return rename.get(value) ?? value;
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return walk(topology) as { [key: string]: unknown };
}
