/** Reads a synced run back out of the team store in the shape the local registry gives, for comparison. */
import { query } from './team';

export interface TeamRun {
  id: number;
  status: string;
  config: unknown;
  parentId: number | null;
  params: { [key: string]: unknown };
  tags: { [key: string]: string };
  metrics: { [key: string]: { step: number; value: number | null; time: number }[] };
  latest: { [key: string]: { step: number; value: number | null; min: number | null; max: number | null; count: number } };
  checkpoints: { step: number; sha256: string; bytes: number }[];
  artifacts: { name: string; sha256: string; bytes: number }[];
}

export async function teamRun(url: string, origin: string, localId: number): Promise<TeamRun> {
  const [run] = await query(url, 'SELECT id, status, config, parent_id FROM runs WHERE origin = $1 AND origin_run_id = $2', [origin, localId]);
  if (!run) throw new Error(`run ${localId} of ${origin} is not in the team store`);
  const id = Number(run.id);
  const params: TeamRun['params'] = {};
  for (const p of await query(url, 'SELECT key, type, num, text FROM params WHERE run_id = $1 ORDER BY key', [id])) {
    params[p.key] = p.type === 'boolean' ? p.num === 1 : p.type === 'number' ? p.num : p.type === 'json' ? JSON.parse(p.text) : p.type === 'null' ? null : p.text;
  }
  const tags: TeamRun['tags'] = {};
  for (const t of await query(url, 'SELECT key, value FROM tags WHERE run_id = $1 ORDER BY key', [id])) tags[t.key] = t.value;
  const metrics: TeamRun['metrics'] = {};
  for (const m of await query(url, 'SELECT key, step, value, time FROM metrics WHERE run_id = $1 ORDER BY key, step', [id])) {
    (metrics[m.key] ??= []).push({ step: Number(m.step), value: m.value, time: Number(m.time) });
  }
  const latest: TeamRun['latest'] = {};
  for (const l of await query(url, 'SELECT key, step, value, min, max, count FROM metrics_latest WHERE run_id = $1', [id])) {
    latest[l.key] = { step: Number(l.step), value: l.value, min: l.min, max: l.max, count: Number(l.count) };
  }
  const checkpoints = (await query(url, 'SELECT step, sha256, bytes FROM checkpoints WHERE run_id = $1 ORDER BY step', [id])).map((c) => ({
    step: Number(c.step), sha256: c.sha256, bytes: Number(c.bytes),
  }));
  const artifacts = (await query(url, 'SELECT name, sha256, bytes FROM artifacts WHERE run_id = $1 ORDER BY name', [id])).map((a) => ({
    name: a.name, sha256: a.sha256, bytes: Number(a.bytes),
  }));
  return { id, status: run.status, config: JSON.parse(run.config), parentId: run.parent_id === null ? null : Number(run.parent_id), params, tags, metrics, latest, checkpoints, artifacts };
}

/** Every row of the team store's run tables, for "a second sync changed nothing" (synced_at aside). */
export async function teamRows(url: string): Promise<unknown> {
  const out: { [table: string]: unknown[] } = {};
  for (const [table, order] of [
    ['runs', 'id'], ['params', 'run_id, key'], ['tags', 'run_id, key'], ['metrics', 'run_id, key, step'], ['metrics_latest', 'run_id, key'],
    ['checkpoints', 'run_id, step'], ['artifacts', 'run_id, name'], ['datasets', 'run_id, name'], ['objects', 'sha256'], ['experiments', 'id'],
  ]) {
    out[table] = (await query(url, `SELECT * FROM ${table} ORDER BY ${order}`)).map((r) => {
      const { synced_at: _s, ...rest } = r;
      return rest;
    });
  }
  return out;
}
