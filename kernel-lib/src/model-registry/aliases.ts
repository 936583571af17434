/** Aliases of model versions (champion, challenger: MLflow's successor to stages), each change recorded with who and when. */
import { LabbookError } from '../errors';
import type { Registry } from '../registry/registry';
import { checkAlias, checkModelName, checkVersion } from './names';
import { aliasesOf, aliasVersion, currentUser, modelRow, versionRow } from './rows';
import type { AliasEvent } from './types';

/**
 * Points `alias` at `version`, moving it when another version had it. Setting it where it already
 * points changes nothing and records nothing. Returns the version it pointed at before (null: new).
 */
export function setAlias(registry: Registry, name: string, alias: string, version: number): { name: string; alias: string; version: number; previous: number | null } {
  const db = registry.db;
  const model = modelRow(db, checkModelName(name));
  checkAlias(alias);
  const target = versionRow(db, model, checkVersion(version)).version;
  const previous = db
    .transaction(() => {
      const before = aliasesOf(db, model.id)[alias] ?? null;
      if (before === target) return before;
      db.prepare('INSERT INTO model_aliases (model_id, alias, version) VALUES (?, ?, ?) ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version').run(model.id, alias, target);
      record(registry, model.id, alias, before, target);
      return before;
    })
    .immediate();
  return { name: model.name, alias, version: target, previous };
}

/** Removes an alias; the version stays. Returns the version it pointed at. */
export function deleteAlias(registry: Registry, name: string, alias: string): number {
  const db = registry.db;
  const model = modelRow(db, checkModelName(name));
  checkAlias(alias);
  return db
    .transaction(() => {
      const before = aliasVersion(db, model, alias);
      db.prepare('DELETE FROM model_aliases WHERE model_id = ? AND alias = ?').run(model.id, alias);
      record(registry, model.id, alias, before, null);
      return before;
    })
    .immediate();
}

/** Every change of the model's aliases (or of one alias), oldest first. */
export function aliasHistory(registry: Registry, name: string, alias?: string): AliasEvent[] {
  const model = modelRow(registry.db, checkModelName(name));
  if (alias !== undefined) checkAlias(alias);
  const rows = registry.db
    .prepare(`SELECT alias, from_version, to_version, who, at FROM model_alias_events WHERE model_id = ? ${alias === undefined ? '' : 'AND alias = ?'} ORDER BY id`)
    .all(...(alias === undefined ? [model.id] : [model.id, alias])) as { alias: string; from_version: number | null; to_version: number | null; who: string; at: number }[];
  if (alias !== undefined && rows.length === 0) {
    throw new LabbookError('NOT_FOUND', `Model ${JSON.stringify(model.name)} has no history for alias ${JSON.stringify(alias)}: expected an alias that was set at least once, received one never set. See its aliases with \`labbook models show ${model.name}\`.`);
  }
  return rows.map((r) => ({ name: model.name, alias: r.alias, fromVersion: r.from_version, toVersion: r.to_version, who: r.who, at: r.at }));
}

function record(registry: Registry, modelId: number, alias: string, from: number | null, to: number | null): void {
  registry.db.prepare('INSERT INTO model_alias_events (model_id, alias, from_version, to_version, who, at) VALUES (?, ?, ?, ?, ?, ?)').run(modelId, alias, from, to, currentUser(), Date.now());
}
