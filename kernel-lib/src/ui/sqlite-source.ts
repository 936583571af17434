/** The UI's reads on a local SQLite registry: the query layer's searches, the registry's reads, the model registry. */
import { aliasHistory, getModel, listModels } from '../model-registry';
import { IN_LIST, jsonList } from '../query/batch';
import { loadSummaries, searchRuns, type SearchOptions } from '../query/search';
import { resolveDbPath } from '../registry/paths';
import type { Registry } from '../registry/registry';
import type { ModelDetail, ModelItem, SweepDetail, SweepItem } from './api';
import { shellWord, type UiSource } from './source';
import { ThinnedCache, thinnedSeries } from './sqlite-series';
import { notASweep, SWEEP_PARENT_TAG, sweepItem, trialItems } from './sweeps';

export function sqliteSource(registry: Registry): UiSource {
  const db = registry.db;
  const thinned = new ThinnedCache();
  const children = (ids: readonly number[]) => loadSummaries(db, db.prepare(`SELECT id FROM runs WHERE parent_id ${IN_LIST} ORDER BY id`).pluck().all(jsonList(ids)) as number[]);
  return {
    kind: 'sqlite',
    location: registry.path,
    models: true,
    async runs(options: SearchOptions) {
      return searchRuns(registry, options);
    },
    async run(id) {
      return registry.getRun(id);
    },
    async series(ids, keys, points, times) {
      registry.flushOpen();
      return thinnedSeries(db, ids, keys, points, { times, cache: thinned });
    },
    async artifact(id, name) {
      return registry.getArtifact(id, name);
    },
    async sweeps(): Promise<SweepItem[]> {
      registry.refresh();
      const parents = loadSummaries(db, db.prepare('SELECT run_id FROM tags WHERE key = ? AND value = ? ORDER BY run_id DESC').pluck().all(...SWEEP_PARENT_TAG) as number[]);
      const trials = children(parents.map((p) => p.id));
      return parents.map((p) => sweepItem(p, trials.filter((t) => t.parent === p.id)));
    },
    async sweep(id): Promise<SweepDetail> {
      const parent = registry.getRun(id);
      if (parent.tags[SWEEP_PARENT_TAG[0]] !== SWEEP_PARENT_TAG[1]) throw notASweep(id, parent.experiment);
      const [summary] = loadSummaries(db, [id]);
      const trials = children([id]);
      return { sweep: sweepItem(summary, trials), definition: parent.config, trials: trialItems(summary, trials) };
    },
    async modelList(): Promise<ModelItem[]> {
      return listModels(registry);
    },
    async model(name): Promise<ModelDetail> {
      const model = getModel(registry, name);
      const runs = new Map(loadSummaries(db, [...new Set(model.versions.map((v) => v.runId))]).map((r) => [r.id, r]));
      return {
        name: model.name,
        description: model.description,
        createdAt: model.createdAt,
        aliases: model.aliases,
        versions: [...model.versions].reverse().map(({ name: _, ...v }) => {
          const run = runs.get(v.runId);
          return { ...v, run: run ? { experiment: run.experiment, name: run.name, status: run.status, metrics: run.metrics } : null };
        }),
        history: aliasHistory(registry, name).reverse().map(({ alias, fromVersion, toVersion, who, at }) => ({ alias, fromVersion, toVersion, who, at })),
      };
    },
    async reproduceCommand(run) {
      // --db only when it is not where the CLI would look by itself.
      const db = registry.path === resolveDbPath() ? '' : ` --db ${shellWord(registry.path)}`;
      return `npx labbook reproduce ${run.id}${db}`;
    },
    async version() {
      // data_version moves when another connection commits: every run process writes through its own.
      return String(db.pragma('data_version', { simple: true }));
    },
    async close() {
      registry.close();
    },
  };
}
