/** loadModel: one call from a run id to a ReadyModel (architecture, verified weights, preprocessing, labels) that predicts on raw input. */
import * as tf from '@tensorflow/tfjs';
import { registerFileIO } from '../backend/file-io';
import { Pipeline } from '../data/preprocess/pipeline';
import { Vocabulary } from '../data/text/vocabulary';
import { describeValue, invalidArgument, LabbookError } from '../errors';
import { buildModel } from '../models/build';
import { resolveModel } from '../model-registry/versions';
import type { ModelVersion } from '../model-registry/types';
import { readJsonArtifact } from '../registry/artifacts';
import { openRegistry, type Registry } from '../registry/registry';
import { restoreWeights } from '../repro/checkpoint';
import { inputTensor, type PredictInput } from './inputs';
import { checkModelPackage, MODEL_ARTIFACT, type ModelPackage, type ModelTask, type StoredInput } from './spec';

export interface LoadModelOptions {
  /** An open registry; else `db` (a path), else the default registry is opened and closed again. */
  registry?: Registry;
  db?: string;
  /** The weights at the end of training (default) or of the best epoch train() kept. */
  checkpoint?: 'final' | 'best';
}

export type ClassPrediction = { label: string; confidence: number; probabilities: { [label: string]: number } };

export type Prediction =
  | ClassPrediction
  | { value: number }
  | { values: number[] };

/** A run's model, ready to predict on raw rows, strings or arrays. dispose() frees its weights. */
export class ReadyModel {
  constructor(
    readonly runId: number,
    readonly model: tf.LayersModel,
    readonly task: ModelTask,
    /** Class names in code order (class indices as strings when the run gave none); null for regression. */
    readonly labels: string[] | null,
    readonly input: StoredInput,
    /** What the network's last layer gives: predict() applies softmax to logits. */
    readonly outputs: ModelPackage['outputs'],
    /** The fitted preprocessing, for a table model that had one. */
    readonly pipeline: Pipeline | null,
    readonly vocabulary: Vocabulary | null,
  ) {}

  /** One plain object per row: {label, confidence, probabilities} or {value} / {values}. */
  predict(input: PredictInput): Prediction[] {
    const x = inputTensor(input, this.input, { pipeline: this.pipeline, vocabulary: this.vocabulary });
    try {
      const rows = tf.tidy(() => {
        const y = this.model.predict(x) as tf.Tensor;
        const out = this.outputs === 'logits' ? tf.softmax(y) : y;
        return out.reshape([out.shape[0], -1]).arraySync() as number[][];
      });
      return rowsToPredictions(rows, this.task, this.labels);
    } finally {
      if (x !== input) x.dispose();
    }
  }

  /** predict() typed for a classifier (so `p.label` needs no narrowing); a regression model is refused. */
  classify(input: PredictInput): ClassPrediction[] {
    if (this.task !== 'classification') {
      throw new LabbookError(
        'INVALID_ARGUMENT',
        `Run ${this.runId}'s model cannot classify: expected a classification model, received a ${this.task} model. Call predict(), which gives {value} per row.`,
      );
    }
    return this.predict(input) as ClassPrediction[];
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** The model's output rows (probabilities or values, one row per example) as predict()'s plain objects; shared with serve's other runtimes. */
export function rowsToPredictions(rows: number[][], task: ModelTask, labels: string[] | null): Prediction[] {
  if (task === 'regression') return rows.map((r) => (r.length === 1 ? { value: r[0] } : { values: r }));
  const names = labels ?? [];
  return rows.map((p) => {
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    return { label: names[best], confidence: p[best], probabilities: Object.fromEntries(names.map((n, i) => [n, p[i]])) };
  });
}

/**
 * Rebuilds a run's model from its `model` artifact (logged by logModel) and its verified checkpoint.
 * A string is a registered model version ('spam@champion', 'spam/3', or 'spam' for the latest):
 * its run's package is loaded with the version's checkpoint, and refused if it changed since registration.
 */
export async function loadModel(target: number | string, options: LoadModelOptions = {}): Promise<ReadyModel> {
  if (typeof target !== 'string' && (!Number.isSafeInteger(target) || target < 1)) {
    throw invalidArgument('runId', "a run id (a positive integer) or a registered model ('NAME', 'NAME/VERSION' or 'NAME@ALIAS')", target);
  }
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
  if (typeof target === 'string' && options.checkpoint !== undefined) {
    throw invalidArgument('checkpoint', `nothing with a model version (${JSON.stringify(target)} names its checkpoint)`, options.checkpoint, 'Register the best checkpoint as a version of its own (registerModel(..., {checkpoint: "best"})).');
  }
  let which = options.checkpoint ?? 'final';
  if (which !== 'final' && which !== 'best') throw invalidArgument('checkpoint', '"final" or "best"', which);
  registerFileIO();
  const registry = options.registry ?? openRegistry({ db: options.db, create: false });
  try {
    const version = typeof target === 'string' ? resolveModel(registry, target) : null;
    const runId = version ? version.runId : (target as number);
    if (version) which = version.checkpoint;
    const record = registry.getRun(runId);
    if (!record.artifacts.some((a) => a.name === MODEL_ARTIFACT)) {
      throw new LabbookError(
        'NOT_FOUND',
        `Run ${runId} has no model to load: expected a "model" artifact, received a run whose artifacts are ${record.artifacts.length ? record.artifacts.map((a) => JSON.stringify(a.name)).join(', ') : 'none'}. Call logModel(run, model, {input: ...}) after train() in the experiment and run it again.`,
      );
    }
    const artifact = registry.getArtifact(runId, MODEL_ARTIFACT);
    if (version) checkUnchanged(version, artifact.sha256);
    const pkg = checkModelPackage(readJsonArtifact(artifact), runId);
    const sha = which === 'best' ? pkg.weights.best : pkg.weights.final;
    if (sha === null) {
      throw invalidArgument('checkpoint', `"final" (run ${runId} kept no best checkpoint)`, which, 'Pass the train() history to logModel to record the best one.');
    }
    if (!record.checkpoints.some((c) => c.sha256 === sha)) {
      throw formatError(runId, `\`weights.${which}\` to be one of the run's checkpoints`, sha);
    }
    const weights = registry.readObject(sha);
    const restored = restoreInput(pkg.input, runId);
    const model = await buildArchitecture(pkg, runId);
    try {
      restoreWeights(model, weights);
      checkLabels(pkg, model, runId);
    } catch (error) {
      model.dispose();
      throw error;
    }
    const units = model.outputs[0].shape[model.outputs[0].shape.length - 1] ?? 0;
    const labels = pkg.task === 'classification' ? (pkg.labels ?? Array.from({ length: units }, (_, i) => String(i))) : null;
    return new ReadyModel(runId, model, pkg.task, labels, pkg.input, pkg.outputs, restored.pipeline, restored.vocabulary);
  } finally {
    if (!options.registry) registry.close();
  }
}

/** A version serves the package it was registered with: a model artifact logged again on the run since is refused. */
function checkUnchanged(version: ModelVersion, sha: string): void {
  if (sha === version.artifactSha256) return;
  const ref = `${version.name}/${version.version}`;
  throw new LabbookError(
    'HASH_MISMATCH',
    `Model version ${ref} no longer matches run ${version.runId}'s model package: expected the "model" artifact it was registered with (sha256 ${version.artifactSha256.slice(0, 12)}), received sha256 ${sha.slice(0, 12)} (the run's package changed since). Register the run again to make its current package a new version (labbook models register ${version.name} ${version.runId}), or load another version.`,
  );
}

async function buildArchitecture(pkg: ModelPackage, runId: number): Promise<tf.LayersModel> {
  const arch = pkg.architecture;
  try {
    // The seed only initializes weights, which the checkpoint overwrites.
    if (arch.kind === 'config') return buildModel(arch.config, { seed: 0 });
    return await tf.models.modelFromJSON({ modelTopology: arch.topology } as Parameters<typeof tf.models.modelFromJSON>[0]);
  } catch (error) {
    throw formatError(runId, '`architecture` that builds a model', `one that fails (${(error as Error).message})`);
  }
}

function restoreInput(input: StoredInput, runId: number): { pipeline: Pipeline | null; vocabulary: Vocabulary | null } {
  try {
    if (input.kind === 'table') return { pipeline: input.pipeline ? Pipeline.fromJSON(input.pipeline) : null, vocabulary: null };
    if (input.kind === 'text') return { pipeline: null, vocabulary: Vocabulary.fromJSON(input.vocabulary) };
    return { pipeline: null, vocabulary: null };
  } catch (error) {
    throw formatError(runId, `\`input\` whose ${input.kind === 'text' ? 'vocabulary' : 'pipeline'} restores`, `one that does not (${(error as Error).message})`);
  }
}

function checkLabels(pkg: ModelPackage, model: tf.LayersModel, runId: number): void {
  const units = model.outputs[0].shape[model.outputs[0].shape.length - 1];
  if (pkg.task === 'classification' && pkg.labels && pkg.labels.length !== units) {
    throw formatError(runId, `${units} \`labels\` (one per output of the model)`, pkg.labels);
  }
}

function formatError(runId: number, expected: string, received: unknown): LabbookError {
  const text = typeof received === 'string' && received.startsWith('one ') ? received : describeValue(received);
  return new LabbookError(
    'MODEL_FORMAT',
    `Artifact "model" of run ${runId} is not a model package: expected ${expected}, received ${text}. Re-run the experiment so logModel(run, model, {...}) stores it again with this labbook version.`,
  );
}
