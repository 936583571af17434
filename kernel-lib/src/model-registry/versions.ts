/** Registering a run's model package as a numbered version of a named model, and finding versions again by number, alias or latest. */
import { invalidArgument, LabbookError } from '../errors';
import { MODEL_ARTIFACT, checkModelPackage } from '../model-package/spec';
import { readJsonArtifact } from '../registry/artifacts';
import type { Registry } from '../registry/registry';
import { lineageOf } from './lineage';
import { checkModelName, checkVersion, formatRef, parseModelRef } from './names';
import { aliasesOf, aliasVersion, modelRow, versionRow, versionsOf } from './rows';
import type { ModelRecord, ModelSummary, ModelVersion, ModelVersionDetail } from './types';

export interface RegisterModelOptions {
  /** The package's weights at the end of training (default) or of the best epoch. */
  checkpoint?: 'final' | 'best';
  note?: string;
  /** The model's description, set when this call creates the model. */
  description?: string;
}

/**
 * Adds the run's logged model (its "model" artifact) as the next version of `name`, creating the
 * model on first use. Only a finished run's package is accepted, read and verified now, so a version
 * is something loadModel can serve; its hashes are kept to detect a later change.
 */
export function registerModel(registry: Registry, name: string, runId: number, options: RegisterModelOptions = {}): ModelVersion {
  checkModelName(name);
  if (!Number.isSafeInteger(runId) || runId < 1) throw invalidArgument('runId', 'a run id (a positive integer)', runId);
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object such as {checkpoint: "best", note: "..."}', options);
  const checkpoint = options.checkpoint ?? 'final';
  if (checkpoint !== 'final' && checkpoint !== 'best') throw invalidArgument('checkpoint', '"final" or "best"', checkpoint);
  for (const key of ['note', 'description'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'string') throw invalidArgument(key, 'a string', options[key]);
  }
  const run = registry.getRun(runId);
  if (run.status !== 'finished') {
    throw new LabbookError(
      'INVALID_ARGUMENT',
      `Run ${runId} cannot become a model version: expected a finished run, received a ${run.status} run${run.status === 'running' ? '' : ' (its model may be half-trained)'}. ${run.status === 'running' ? 'Register it once it has finished.' : 'Register a run that finished.'}`,
    );
  }
  if (!run.artifacts.some((a) => a.name === MODEL_ARTIFACT)) {
    throw new LabbookError(
      'NOT_FOUND',
      `Run ${runId} has no model to register: expected a "model" artifact, received a run whose artifacts are ${run.artifacts.length ? run.artifacts.map((a) => JSON.stringify(a.name)).join(', ') : 'none'}. Call logModel(run, model, {input: ...}) after train() and register that run.`,
    );
  }
  const artifact = registry.getArtifact(runId, MODEL_ARTIFACT); // verified against its hash
  const pkg = checkModelPackage(readJsonArtifact(artifact), runId);
  const weights = checkpoint === 'best' ? pkg.weights.best : pkg.weights.final;
  if (weights === null) {
    throw invalidArgument('checkpoint', `"final" (run ${runId} kept no best checkpoint)`, checkpoint, 'Pass the train() history to logModel to record the best one.');
  }
  if (!run.checkpoints.some((c) => c.sha256 === weights)) {
    throw new LabbookError(
      'MODEL_FORMAT',
      `Artifact "model" of run ${runId} names weights the run does not have: expected its ${checkpoint} checkpoint ${weights.slice(0, 12)} among the run's checkpoints, received none with that hash. Re-run the experiment so logModel stores the package again.`,
    );
  }
  registry.readObject(weights); // present and intact, or HASH_MISMATCH / NOT_FOUND now rather than at load
  const now = Date.now();
  const version = registry.db
    .transaction(() => {
      registry.db.prepare('INSERT OR IGNORE INTO models (name, description, created_at) VALUES (?, ?, ?)').run(name, options.description ?? null, now);
      const model = registry.db.prepare('UPDATE models SET last_version = last_version + 1 WHERE name = ? RETURNING id, last_version').get(name) as { id: number; last_version: number };
      registry.db
        .prepare('INSERT INTO model_versions (model_id, version, run_id, checkpoint, artifact_sha256, weights_sha256, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(model.id, model.last_version, runId, checkpoint, artifact.sha256, weights, options.note ?? null, now);
      return model.last_version;
    })
    .immediate();
  return versionRow(registry.db, modelRow(registry.db, name), version);
}

/** Deletes one version (its run and package stay). An alias must be moved or deleted first. */
export function deleteModelVersion(registry: Registry, name: string, version: number): void {
  const model = modelRow(registry.db, checkModelName(name));
  const found = versionRow(registry.db, model, checkVersion(version));
  if (found.aliases.length > 0) {
    throw new LabbookError(
      'INVALID_ARGUMENT',
      `Version ${found.version} of model ${JSON.stringify(name)} has alias${found.aliases.length > 1 ? 'es' : ''} ${found.aliases.join(', ')}: expected a version no alias points at, since the alias would point at nothing. Move the alias (labbook models alias ${name} ${found.aliases[0]} VERSION) or delete it (--delete) first.`,
    );
  }
  registry.db.prepare('DELETE FROM model_versions WHERE model_id = ? AND version = ?').run(model.id, found.version);
}

export function listModels(registry: Registry): ModelSummary[] {
  const rows = registry.db
    .prepare(
      `SELECT m.id, m.name, m.description, m.created_at, COUNT(v.version) AS n, MAX(v.version) AS latest
       FROM models m LEFT JOIN model_versions v ON v.model_id = m.id GROUP BY m.id ORDER BY m.name`,
    )
    .all() as { id: number; name: string; description: string | null; created_at: number; n: number; latest: number | null }[];
  return rows.map((r) => ({ name: r.name, description: r.description, createdAt: r.created_at, versions: r.n, latestVersion: r.latest, aliases: aliasesOf(registry.db, r.id) }));
}

export function getModel(registry: Registry, name: string): ModelRecord {
  const model = modelRow(registry.db, checkModelName(name));
  return { name: model.name, description: model.description, createdAt: model.created_at, versions: versionsOf(registry.db, model), aliases: aliasesOf(registry.db, model.id) };
}

/** 'name@alias', 'name/3' or 'name' (its latest version) to the version, with its run's lineage. */
export function resolveModel(registry: Registry, ref: string): ModelVersionDetail {
  const parsed = parseModelRef(ref);
  const db = registry.db;
  const model = modelRow(db, parsed.name);
  let number = parsed.version;
  if (parsed.alias !== undefined) number = aliasVersion(db, model, parsed.alias);
  if (number === undefined) {
    number = (db.prepare('SELECT MAX(version) FROM model_versions WHERE model_id = ?').pluck().get(model.id) as number | null) ?? undefined;
    if (number === undefined) {
      throw new LabbookError('NOT_FOUND', `Model ${JSON.stringify(model.name)} has no versions: expected at least one, received none (all were deleted). Register one with \`labbook models register ${model.name} RUN_ID\`.`);
    }
  }
  const version = versionRow(db, model, number);
  return { ...version, lineage: lineageOf(registry, version, formatRef(parsed)) };
}

