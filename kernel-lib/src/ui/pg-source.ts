/** The UI's reads on the PostgreSQL team store: the team search and reads, and the same sweep view as on SQLite. */
import { LabbookError } from '../errors';
import type { SearchOptions } from '../query/search';
import type { TeamStore } from '../team/connect';
import { getObject } from '../team/objects';
import { getTeamRun } from '../team/read';
import { loadTeamSummaries, searchTeamRuns } from '../team/search';
import type { SweepDetail, SweepItem } from './api';
import { groupSeries, shellWord, type RunSeries, type UiSource } from './source';
import { thinSeries } from './thin';
import { notASweep, SWEEP_PARENT_TAG, sweepItem, trialItems } from './sweeps';

export function postgresSource(store: TeamStore): UiSource {
  const children = async (ids: readonly number[]) =>
    loadTeamSummaries(store, (await store.query<{ id: number }>('SELECT id FROM runs WHERE parent_id = ANY($1::bigint[]) ORDER BY id', [ids])).map((r) => Number(r.id)));
  const noModels = () =>
    new LabbookError('NOT_FOUND', `The team store ${store.url} has no model registry: expected a local SQLite registry, where models are registered. Run \`labbook ui --db PATH\` on that registry to see its models.`);
  return {
    kind: 'postgres',
    location: store.url,
    models: false,
    runs: (options: SearchOptions) => searchTeamRuns(store, options),
    run: (id) => getTeamRun(store, id),
    // The times come with the rows here: they are returned whether asked for or not.
    async series(ids, keys, points): Promise<RunSeries[]> {
      const byKey = keys === undefined ? '' : ' AND key = ANY($2::text[])';
      const rows = await store.pool.query({
        text: `SELECT run_id, key, step, value, time FROM metrics WHERE run_id = ANY($1::bigint[])${byKey} ORDER BY run_id, key COLLATE "C", step`,
        values: keys === undefined ? [ids] : [ids, keys],
        rowMode: 'array',
      });
      const raw = groupSeries((rows.rows as [string | number, string, string | number, number | null, string | number][]).map(([run, key, step, value, time]) => [Number(run), key, Number(step), value, Number(time)] as const));
      return raw.map((series) => ({ runId: series.runId, ...thinSeries(series, points) }));
    },
    async artifact(id, name) {
      const rows = await store.query<{ sha256: string; media_type: string }>('SELECT sha256, media_type FROM artifacts WHERE run_id = $1 AND name = $2', [id, name]);
      if (rows.length === 0) {
        throw new LabbookError('NOT_FOUND', `Run ${id} has no artifact ${JSON.stringify(name)}: expected one of the names its page lists. Check the name, or the run id.`);
      }
      return { mediaType: rows[0].media_type, sha256: rows[0].sha256, bytes: await getObject(store, rows[0].sha256) };
    },
    async sweeps(): Promise<SweepItem[]> {
      const ids = (await store.query<{ run_id: number }>('SELECT run_id FROM tags WHERE key = $1 AND value = $2 ORDER BY run_id DESC', [...SWEEP_PARENT_TAG])).map((r) => Number(r.run_id));
      const parents = await loadTeamSummaries(store, ids);
      const trials = await children(ids);
      return parents.map((p) => sweepItem(p, trials.filter((t) => t.parent === p.id)));
    },
    async sweep(id): Promise<SweepDetail> {
      const parent = await getTeamRun(store, id);
      if (parent.tags[SWEEP_PARENT_TAG[0]] !== SWEEP_PARENT_TAG[1]) throw notASweep(id, parent.experiment);
      const [summary] = await loadTeamSummaries(store, [id]);
      const trials = await children([id]);
      return { sweep: sweepItem(summary, trials), definition: parent.config, trials: trialItems(summary, trials) };
    },
    modelList: async () => {
      throw noModels();
    },
    model: async () => {
      throw noModels();
    },
    async reproduceCommand(run) {
      // A team run is re-run from the registry that recorded it, under its id there.
      const [origin] = await store.query<{ origin_run_id: string | number }>('SELECT origin_run_id FROM runs WHERE id = $1', [run.id]);
      return `npx labbook reproduce ${Number(origin?.origin_run_id ?? run.id)}   # on ${shellWord(run.host)}, in the registry that recorded it (team run ${run.id})`;
    },
    async version() {
      // Every write stamps the current time (a heartbeat, a metric, an end), so each maximum moves
      // with any change a running or ending run makes; the counts catch runs and tags synced in.
      const [row] = await store.query<{ v: string }>(
        `SELECT concat_ws(':', (SELECT count(*) FROM runs), (SELECT max(heartbeat_at) FROM runs), (SELECT max(ended_at) FROM runs),
           (SELECT max(time) FROM metrics_latest), (SELECT count(*) FROM tags)) AS v`,
      );
      return row.v;
    },
    close: () => store.close(),
  };
}
