/** The read-only JSON API: every route is a GET, and each answers with a type from api.ts. */
import type { Context, Hono } from 'hono';
import type { ApiIndex, Compare, CompareSeries, RunMetrics, RunsPage } from './api';
import { compareIdsParam, flagParam, intParam, keysParam, runId } from './query';
import type { UiSource } from './source';
import { AnswerCache } from './answer-cache';
import { compareView, runDetail } from './views';

/** Each route with its query and answer, as GET /api lists them (README "Web UI" has the same). */
export const ROUTES: ApiIndex['routes'] = [
  { path: '/api', query: '', returns: 'ApiIndex: this list, the store and its location' },
  { path: '/api/runs', query: 'where, sort, experiment, parent, limit (1-10000, default 1000), offset', returns: 'RunsPage: runs filtered and sorted as `labbook runs --where/--sort`' },
  { path: '/api/runs/:id', query: '', returns: 'RunDetail: everything recorded about a run, its provenance and a reproduce command' },
  { path: '/api/runs/:id/metrics', query: 'keys (comma-separated; default every key), points (2-100000, default 2000)', returns: 'RunMetrics: histories thinned to `points` (each bucket\'s min and max kept)' },
  { path: '/api/runs/:id/artifacts/:name', query: 'download (1: as an attachment)', returns: "the artifact's bytes, verified against its SHA-256" },
  { path: '/api/compare', query: 'ids (2-100 run ids), keys, points (2-100000, default 500), times (0: without the points\' times)', returns: 'Compare: the runs, their diff, what differs, their histories' },
  { path: '/api/sweeps', query: '', returns: 'SweepItem[]: every sweep, newest first' },
  { path: '/api/sweeps/:id', query: '', returns: 'SweepDetail: the definition and every trial' },
  { path: '/api/models', query: '', returns: 'ModelItem[] (SQLite registries)' },
  { path: '/api/models/:name', query: '', returns: 'ModelDetail: versions with their runs, alias history' },
  { path: '/api/events', query: '', returns: 'text/event-stream: `runs` events when runs start, log, end or change' },
];

const MAX_PAGE = 10_000;

/** A source broke its promise: a bug here, not a bad request. */
function missing(what: string): never {
  throw new Error(`The store left out the ${what} it was asked for.`);
}

export function addRoutes(app: Hono, source: UiSource, version: string): void {
  const query = (c: Context) => c.req.query();
  app.get('/api', (c) => c.json<ApiIndex>({ name: 'labbook', version, store: source.kind, location: source.location, readOnly: true, models: source.models, routes: ROUTES }));

  app.get('/api/runs', async (c) => {
    const q = query(c);
    const limit = intParam(q, 'limit', 1000, 1, MAX_PAGE)!;
    const offset = intParam(q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER)!;
    // One more than asked tells whether a next page exists without counting every match.
    const found = await source.runs({ where: q.where, sort: q.sort, experiment: q.experiment || undefined, parent: intParam(q, 'parent', undefined, 1, Number.MAX_SAFE_INTEGER), limit: limit + 1, offset });
    return c.json<RunsPage>({ runs: found.slice(0, limit), offset, limit, more: found.length > limit });
  });

  app.get('/api/runs/:id', async (c) => {
    const run = await source.run(runId(c.req.param('id')));
    return c.json(runDetail(run, await source.reproduceCommand(run)));
  });

  app.get('/api/runs/:id/metrics', async (c) => {
    const id = runId(c.req.param('id'));
    const q = query(c);
    const points = intParam(q, 'points', 2000, 2, 100_000)!;
    await source.run(id); // an unknown id is a 404, not an empty list
    const series = (await source.series([id], keysParam(q, 'keys'), points, true)).map(({ runId: _, times, ...s }) => ({ ...s, times: times ?? missing('times') }));
    return c.json<RunMetrics>({ id, series });
  });

  app.get('/api/runs/:id/artifacts/:name', async (c) => {
    const artifact = await source.artifact(runId(c.req.param('id')), c.req.param('name'));
    return artifactResponse(artifact, c.req.param('name'), query(c).download === '1');
  });

  const answers = source.kind === 'sqlite' ? new AnswerCache() : undefined;
  app.get('/api/compare', async (c) => {
    // Read before the answer is made: a commit meanwhile leaves it filed under the older version, never the newer.
    const version = answers ? await source.version() : '';
    const kept = answers?.get(c.req.url, version);
    if (kept !== undefined) return c.body(kept, 200, { 'content-type': 'application/json' });
    const q = query(c);
    const ids = compareIdsParam(q);
    const points = intParam(q, 'points', 500, 2, 100_000)!;
    const times = flagParam(q, 'times', true);
    const [records, thinned] = await Promise.all([Promise.all(ids.map((id) => source.run(id))), source.series(ids, keysParam(q, 'keys'), points, times)]);
    const series = new Map<number, CompareSeries[]>();
    // An undefined field is left out of the JSON.
    for (const { runId, ...s } of thinned) series.set(runId, [...(series.get(runId) ?? []), times ? s : { ...s, times: undefined }]);
    const view: Compare = compareView(records, series);
    const body = JSON.stringify(view);
    if (view.runs.every((run) => run.status !== 'running')) answers?.set(c.req.url, version, body);
    return c.body(body, 200, { 'content-type': 'application/json' });
  });

  app.get('/api/sweeps', async (c) => c.json(await source.sweeps()));
  app.get('/api/sweeps/:id', async (c) => c.json(await source.sweep(runId(c.req.param('id')))));
  app.get('/api/models', async (c) => c.json(await source.modelList()));
  app.get('/api/models/:name', async (c) => c.json(await source.model(c.req.param('name'))));
}

/** Media types a browser may show inline from this origin; anything else (HTML, SVG, scripts) is only downloaded. */
const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'text/plain', 'text/csv', 'application/json']);

function artifactResponse(artifact: { mediaType: string; sha256: string; bytes: Uint8Array }, name: string, download: boolean): Response {
  const base = artifact.mediaType.split(';')[0].trim().toLowerCase();
  const inline = !download && (INLINE.has(base) || base.endsWith('+json'));
  const type = inline ? (base.startsWith('text/') ? `${base}; charset=utf-8` : base.endsWith('+json') ? 'application/json' : base) : 'application/octet-stream';
  const filename = name.replace(/[^\w.-]+/g, '_') || 'artifact';
  return new Response(new Uint8Array(artifact.bytes), {
    headers: {
      'content-type': type,
      'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'content-security-policy': "default-src 'none'; sandbox",
      etag: `"${artifact.sha256}"`,
      'cache-control': 'private, max-age=31536000, immutable',
    },
  });
}
