/** The model registry's reads of its own tables (migration 5), and the lookups that name what exists when something does not. */
import { hostname, userInfo } from 'node:os';
import { LabbookError } from '../errors';
import type { Db } from '../registry/database';
import { closestName } from '../suggest';
import type { ModelVersion } from './types';

export interface ModelRow {
  id: number;
  name: string;
  description: string | null;
  created_at: number;
}

interface VersionRow {
  version: number;
  run_id: number;
  checkpoint: 'final' | 'best';
  artifact_sha256: string;
  weights_sha256: string;
  note: string | null;
  created_at: number;
}

export function findModel(db: Db, name: string): ModelRow | undefined {
  return db.prepare('SELECT id, name, description, created_at FROM models WHERE name = ?').get(name) as ModelRow | undefined;
}

export function modelRow(db: Db, name: string): ModelRow {
  const row = findModel(db, name);
  if (row) return row;
  const known = db.prepare('SELECT name FROM models ORDER BY name').pluck().all() as string[];
  const guess = closestName(name, known);
  throw new LabbookError(
    'NOT_FOUND',
    `No model named ${JSON.stringify(name)}: expected ${known.length ? `one of ${quoteList(known)}` : 'a registered model (there are none yet)'}, received ${JSON.stringify(name)}. ${guess ? `Did you mean ${JSON.stringify(guess)}?` : 'Register one with registerModel(registry, name, runId) or `labbook models register NAME RUN_ID`.'}`,
  );
}

export function aliasesOf(db: Db, modelId: number): { [alias: string]: number } {
  const rows = db.prepare('SELECT alias, version FROM model_aliases WHERE model_id = ? ORDER BY alias').all(modelId) as { alias: string; version: number }[];
  return Object.fromEntries(rows.map((r) => [r.alias, r.version]));
}

export function versionsOf(db: Db, model: ModelRow): ModelVersion[] {
  const rows = db
    .prepare('SELECT version, run_id, checkpoint, artifact_sha256, weights_sha256, note, created_at FROM model_versions WHERE model_id = ? ORDER BY version')
    .all(model.id) as VersionRow[];
  const aliases = aliasesOf(db, model.id);
  return rows.map((r) => toVersion(model.name, r, aliases));
}

/** One version by number, or NOT_FOUND naming the versions there are. */
export function versionRow(db: Db, model: ModelRow, version: number): ModelVersion {
  const row = db
    .prepare('SELECT version, run_id, checkpoint, artifact_sha256, weights_sha256, note, created_at FROM model_versions WHERE model_id = ? AND version = ?')
    .get(model.id, version) as VersionRow | undefined;
  if (row) return toVersion(model.name, row, aliasesOf(db, model.id));
  const known = db.prepare('SELECT version FROM model_versions WHERE model_id = ? ORDER BY version').pluck().all(model.id) as number[];
  throw new LabbookError(
    'NOT_FOUND',
    `Model ${JSON.stringify(model.name)} has no version ${version}: expected ${known.length ? `one of ${known.join(', ')}` : 'a version (it has none left)'}, received ${version}. See them with \`labbook models show ${model.name}\`.`,
  );
}

/** The version an alias points at, or NOT_FOUND naming the aliases there are. */
export function aliasVersion(db: Db, model: ModelRow, alias: string): number {
  const aliases = aliasesOf(db, model.id);
  if (Object.hasOwn(aliases, alias)) return aliases[alias];
  const known = Object.keys(aliases);
  const guess = closestName(alias, known);
  throw new LabbookError(
    'NOT_FOUND',
    `Model ${JSON.stringify(model.name)} has no alias ${JSON.stringify(alias)}: expected ${known.length ? `one of ${quoteList(known)}` : 'an alias it has (it has none)'}, received ${JSON.stringify(alias)}. ${guess ? `Did you mean ${JSON.stringify(guess)}?` : `Set one with \`labbook models alias ${model.name} ${alias} VERSION\`.`}`,
  );
}

/** Who changed an alias: user@host, as MLflow and git record a person; a user without a passwd entry falls back to $USER. */
export function currentUser(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}

function toVersion(name: string, r: VersionRow, aliases: { [alias: string]: number }): ModelVersion {
  return {
    name,
    version: r.version,
    runId: r.run_id,
    checkpoint: r.checkpoint,
    artifactSha256: r.artifact_sha256,
    weightsSha256: r.weights_sha256,
    note: r.note,
    createdAt: r.created_at,
    aliases: Object.keys(aliases).filter((a) => aliases[a] === r.version),
  };
}

function quoteList(names: readonly string[]): string {
  const shown = names.slice(0, 10).map((n) => JSON.stringify(n)).join(', ');
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
}
