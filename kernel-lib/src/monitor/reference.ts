/** Where a version's reference profile lives: the run's `reference-profile` artifact (logged with the model), or one attached to the version later; no tfjs here. */
import type { DataFrame } from 'danfojs-node';
import { frameRows } from '../data/frame';
import { LabbookError } from '../errors';
import type { ModelVersionDetail } from '../model-registry/types';
import { readJsonArtifact } from '../registry/artifacts';
import type { Registry } from '../registry/registry';
import { checkProfile, profileText, PROFILE_ARTIFACT, type ReferenceProfile } from './profile';

export interface StoredProfile {
  profile: ReferenceProfile;
  sha256: string;
  /** 'run': logged with the model during training; 'version': attached when the version was registered. */
  source: 'run' | 'version';
}

/** The version's profile, or null when it has none. */
export function findProfile(registry: Registry, version: ModelVersionDetail): StoredProfile | null {
  const where = `${version.name}/${version.version}`;
  const row = registry.db
    .prepare('SELECT p.sha256, p.profile FROM model_version_profiles p JOIN models m ON m.id = p.model_id WHERE m.name = ? AND p.version = ?')
    .get(version.name, version.version) as { sha256: string; profile: string } | undefined;
  if (row) return { profile: checkProfile(JSON.parse(row.profile), where), sha256: row.sha256, source: 'version' };
  const run = registry.getRun(version.runId);
  if (!run.artifacts.some((a) => a.name === PROFILE_ARTIFACT)) return null;
  const artifact = registry.getArtifact(version.runId, PROFILE_ARTIFACT);
  return { profile: checkProfile(readJsonArtifact(artifact), where), sha256: artifact.sha256, source: 'run' };
}

/** Whether a version has a profile, without reading it (for `labbook models show`). */
export function hasProfile(registry: Registry, version: ModelVersionDetail): string | null {
  const row = registry.db
    .prepare('SELECT p.sha256 FROM model_version_profiles p JOIN models m ON m.id = p.model_id WHERE m.name = ? AND p.version = ?')
    .get(version.name, version.version) as { sha256: string } | undefined;
  if (row) return row.sha256;
  return registry.getRun(version.runId).artifacts.find((a) => a.name === PROFILE_ARTIFACT)?.sha256 ?? null;
}

/** Attaches a profile to one version (replacing one attached before). */
export function attachProfile(registry: Registry, version: ModelVersionDetail, profile: ReferenceProfile): string {
  const { text, sha256 } = profileText(profile);
  registry.db
    .prepare(
      `INSERT INTO model_version_profiles (model_id, version, sha256, profile, created_at)
       SELECT id, ?, ?, ?, ? FROM models WHERE name = ?
       ON CONFLICT (model_id, version) DO UPDATE SET sha256 = excluded.sha256, profile = excluded.profile, created_at = excluded.created_at`,
    )
    .run(version.version, sha256, text, Date.now(), version.name);
  return sha256;
}

/** The message for a version without one: how to give it one. */
export function noProfileHint(version: ModelVersionDetail): string {
  return `${version.name}/${version.version} has no reference profile (its run ${version.runId} logged none), so drift cannot be measured. Register the run again with a sample of its training data: labbook models register ${version.name} ${version.runId} --reference train.csv (or pass {reference: rows} to logModel when training).`;
}

/** Training examples as predict() takes them: row objects from a DataFrame, else the array as given. */
export function referenceExamples(reference: unknown): unknown[] {
  if (Array.isArray(reference)) return reference;
  const frame = reference as DataFrame;
  if (frame && typeof frame === 'object' && Array.isArray((frame as { columns?: unknown }).columns) && typeof (frame as { shape?: unknown }).shape === 'object') {
    const columns = frame.columns as string[];
    return frameRows(frame).map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
  }
  throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`reference\`: expected the training data as rows, strings, arrays or a DataFrame, received ${typeof reference}. Pass the data the model was trained on.`);
}
