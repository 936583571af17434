/** The web UI's JSON API on a real SQLite registry: every route's answer, its checks and its errors. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { startUi, type Compare, type ModelDetail, type ModelItem, type RunDetail, type RunMetrics, type RunsPage, type SweepDetail, type SweepItem } from '../../kernel-lib/src/ui';
import { compareUrl } from '../../kernel-lib/src/ui/page-requests';
import { CHILD, collect, waitForLine } from '../helpers';
import { buildApiRegistry, EVIL_NAME, type ApiRegistry } from './registry';

let reg: ApiRegistry;
let ui: Awaited<ReturnType<typeof startUi>>;

beforeAll(async () => {
  reg = await buildApiRegistry();
  ui = await startUi({ db: reg.path, port: 0, pollMs: 100, log: () => {} });
}, 120_000);

afterAll(async () => {
  await ui?.close();
});

async function get<T>(path: string): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${ui.url}${path}`);
  const text = await response.text();
  return { status: response.status, body: (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T, headers: response.headers };
}

type ErrorBody = { error: { code: string; message: string; position?: number } };

describe('GET /api/runs', () => {
  it('lists runs newest first, as `labbook runs` does, with latest metrics, config and tags', async () => {
    const { status, body } = await get<RunsPage>('/api/runs');
    expect(status).toBe(200);
    expect(body.more).toBe(false);
    const ids = body.runs.map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const first = body.runs.find((r) => r.id === reg.plain[0])!;
    expect(first).toMatchObject({ experiment: 'mlp', name: 'mlp-0', status: 'finished', seed: 1, config: { lr: 0.1, optimizer: 'adam', model: { units: 32 } }, tags: { team: 'a' } });
    expect(first.metrics.loss).toBeCloseTo(1 / 20);
  });

  it('filters and sorts with the query language', async () => {
    const { body } = await get<RunsPage>(`/api/runs?where=${encodeURIComponent("experiment = 'mlp' AND config.optimizer = 'adam'")}&sort=config.lr`);
    expect(body.runs.map((r) => r.config.lr)).toEqual([0.01, 0.1, 10]);
  });

  it('pages with limit and offset, and says when more follow', async () => {
    const all = (await get<RunsPage>('/api/runs?sort=id')).body.runs.map((r) => r.id);
    const page = await get<RunsPage>('/api/runs?sort=id&limit=2&offset=1');
    expect(page.body).toMatchObject({ offset: 1, limit: 2, more: true });
    expect(page.body.runs.map((r) => r.id)).toEqual(all.slice(1, 3));
    const last = await get<RunsPage>(`/api/runs?sort=id&limit=2&offset=${all.length - 2}`);
    expect(last.body.more).toBe(false);
  });

  it('answers a filter mistake with 400, the message and its column', async () => {
    const { status, body } = await get<ErrorBody>(`/api/runs?where=${encodeURIComponent('config.lr > 1 AND confg.x = 2')}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe('INVALID_FILTER');
    expect(body.error.position).toBe(19);
    expect(body.error.message).toContain('Did you mean `config.x`?');
    const sort = await get<ErrorBody>('/api/runs?sort=-metrics.nope');
    expect(sort.status).toBe(400);
    expect(sort.body.error.position).toBe(2);
  });

  it('refuses out-of-range paging with what it expected', async () => {
    for (const query of ['limit=0', 'limit=10001', 'limit=x', 'offset=-1', 'parent=abc']) {
      const { status, body } = await get<ErrorBody>(`/api/runs?${query}`);
      expect(status, query).toBe(400);
      expect(body.error.message).toMatch(/^Invalid query parameter `\w+`: expected /);
    }
  });

  it("lists a sweep's trials with parent=", async () => {
    const { body } = await get<RunsPage>(`/api/runs?parent=${reg.sweep}`);
    expect(body.runs).toHaveLength(3);
    expect(body.runs.every((r) => r.parent === reg.sweep)).toBe(true);
  });
});

describe('GET /api/runs/:id and its metrics and artifacts', () => {
  it('returns everything recorded, the provenance and a reproduce command', async () => {
    const { body } = await get<RunDetail>(`/api/runs/${reg.plain[1]}`);
    expect(body).toMatchObject({ id: reg.plain[1], name: 'mlp-1', status: 'finished', params: { lr: 0.01, 'model.units': 32 }, sweep: false });
    expect(body.datasets[0]).toMatchObject({ name: 'train', rows: 101, sha256: 'ab'.repeat(32) });
    expect(body.checkpoints[0]).toMatchObject({ step: 19, bytes: 4 });
    expect(body.provenance.configHash).toBe(body.configHash);
    expect(body.provenance).toHaveProperty('notebook', null);
    expect(body.reproduce).toBe(`npx labbook reproduce ${reg.plain[1]} --db ${reg.path}`);
    expect(body).not.toHaveProperty('pid');
  });

  it('keeps a failed run\'s error and marks a sweep parent', async () => {
    expect((await get<RunDetail>(`/api/runs/${reg.failed}`)).body).toMatchObject({ status: 'failed', error: expect.stringContaining('Loss became NaN at step 1') });
    expect((await get<RunDetail>(`/api/runs/${reg.sweep}`)).body.sweep).toBe(true);
  });

  it('answers an unknown run with 404 and a malformed id with 400', async () => {
    expect((await get<ErrorBody>('/api/runs/9999')).body.error.code).toBe('NOT_FOUND');
    expect((await get('/api/runs/9999')).status).toBe(404);
    const bad = await get<ErrorBody>('/api/runs/1e3');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('expected a positive integer');
  });

  it('thins a long history to `points`, keeping both ends and the spike', async () => {
    const { body } = await get<RunMetrics>(`/api/runs/${reg.long}/metrics?points=100`);
    const [flat, loss] = body.series;
    // Ties keep their first step; every NaN stays, as a gap.
    expect(flat.values.filter((v) => v === null)).toHaveLength(6);
    expect(flat.steps.slice(0, 3)).toEqual([0, 5, 103]);
    expect(loss.total).toBe(5000);
    expect(loss.steps.length).toBeLessThanOrEqual(100);
    expect(loss.steps[0]).toBe(0);
    expect(loss.steps.at(-1)).toBe(4999);
    expect(loss.values[loss.steps.indexOf(1234)]).toBe(100);
    expect(loss.times).toHaveLength(loss.steps.length);
    const full = await get<RunMetrics>(`/api/runs/${reg.plain[0]}/metrics?keys=acc`);
    expect(full.body.series.map((s) => [s.key, s.steps.length, s.total])).toEqual([['acc', 20, 20]]);
  });

  it('serves a figure inline as JSON and an HTML artifact only as a sandboxed download', async () => {
    const figure = await get<{ data: unknown[] }>(`/api/runs/${reg.evil}/artifacts/fig`);
    expect(figure.headers.get('content-type')).toBe('application/json');
    expect(figure.body.data).toHaveLength(1);
    const html = await get<string>(`/api/runs/${reg.evil}/artifacts/notes.html`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('application/octet-stream');
    expect(html.headers.get('content-disposition')).toMatch(/^attachment; filename="notes.html"/);
    expect(html.headers.get('content-security-policy')).toContain('sandbox');
    expect(html.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses an artifact whose stored bytes no longer match their hash', async () => {
    const registry = openRegistry({ db: reg.path });
    const run = registry.startRun({ experiment: 'tamper', config: {} });
    const record = run.logArtifact('data.txt', 'original', { mediaType: 'text/plain' });
    run.end();
    registry.close();
    const objects = join(dirname(reg.path), 'objects');
    const file = findObject(objects, record.sha256);
    writeFileSync(file, 'tampered');
    const { status, body } = await get<ErrorBody>(`/api/runs/${run.id}/artifacts/data.txt`);
    expect(status).toBe(500);
    expect(body.error.code).toBe('HASH_MISMATCH');
    expect(createHash('sha256').update('original').digest('hex')).toBe(record.sha256);
  });
});

function findObject(dir: string, sha: string): string {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.includes(sha.slice(2))) return join(entry.parentPath, entry.name);
  }
  throw new Error(`object ${sha} not found under ${dir}`);
}

describe('GET /api/compare', () => {
  it('returns the runs in the order asked, what differs, and their thinned histories', async () => {
    const ids = [reg.plain[2], reg.plain[0], reg.evil];
    const { status, body } = await get<Compare>(`/api/compare?ids=${ids.join(',')}&points=10`);
    expect(status).toBe(200);
    expect(body.runs.map((r) => r.id)).toEqual(ids);
    expect(body.runs[2].name).toBe(EVIL_NAME);
    expect(body.differs).toEqual(expect.arrayContaining(['config.lr', 'config.optimizer', 'seed', 'datasets.train']));
    expect(body.differs).not.toContain('env.node');
    expect(body.diff.config.lr).toEqual([0.001, 0.1, 0.5]);
    expect(body.series[String(reg.plain[0])].map((s) => s.key)).toEqual(['acc', 'loss']);
    expect(body.series[String(reg.plain[0])][0].steps.length).toBeLessThanOrEqual(10);
  });

  it('takes 2 to 100 distinct run ids', async () => {
    for (const ids of ['1', Array.from({ length: 101 }, (_, i) => i + 1).join(','), '1,1', '1,x', '']) {
      const { status, body } = await get<ErrorBody>(`/api/compare?ids=${ids}`);
      expect(status, ids).toBe(400);
      expect(body.error.message).toMatch(/^Invalid query parameter `ids`: expected /);
    }
    expect((await get('/api/compare?ids=1,9999')).status).toBe(404);
  });

  it('answers a comparison again as it was until the registry changes, and never keeps one with a running run', async () => {
    const path = `/api/compare?ids=${reg.plain.join(',')}&points=10`;
    const first = await get<Compare>(path);
    expect((await get<Compare>(path)).body).toEqual(first.body);
    const other = openRegistry({ db: reg.path });
    try {
      other.setTags(reg.plain[1], { reviewed: 'yes' });
      expect((await get<Compare>(path)).body.runs[1].tags.reviewed).toBe('yes');
      // A running run is read afresh each time: its process may die with no commit, and the read marks it crashed.
      const child = spawn(process.execPath, [CHILD, reg.path, 'hang']);
      const id = Number((await waitForLine(child, 'ready ')).split(' ')[1]);
      const live = `/api/compare?ids=${reg.plain[0]},${id}`;
      expect((await get<Compare>(live)).body.runs[1].status).toBe('running');
      child.kill('SIGKILL');
      await collect(child);
      expect((await get<Compare>(live)).body.runs[1].status).toBe('crashed');
    } finally {
      other.close();
    }
  });

  it('leaves out the times when asked `times=0`, and takes only 0 or 1', async () => {
    const ids = reg.plain.join(',');
    const withTimes = (await get<Compare>(`/api/compare?ids=${ids}`)).body;
    const without = await get<Compare>(`/api/compare?ids=${ids}&times=0`);
    expect(without.status).toBe(200);
    for (const [id, list] of Object.entries(without.body.series)) {
      expect(list.map((s) => Object.keys(s))).toEqual(list.map(() => ['key', 'steps', 'values', 'total']));
      expect(list).toEqual(withTimes.series[id].map(({ times: _, ...s }) => s));
    }
    const bad = await get<ErrorBody>(`/api/compare?ids=${ids}&times=yes`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('Invalid query parameter `times`: expected 0 or 1, received "yes". Fix the URL (GET /api lists every route and its parameters).');
  });
});

describe('the page', () => {
  const preloads = async (path: string) => [...(await get<string>(path)).body.matchAll(/<link rel="preload" as="fetch" crossorigin="anonymous" href="([^"]*)">/g)].map((m) => m[1].replace(/&amp;/g, '&'));

  it("names a comparison's data for the browser to fetch while the app loads: the request the app makes", async () => {
    const ids = reg.plain.slice(0, 2);
    expect(await preloads(`/compare?ids=${ids.join(',')}`)).toEqual([compareUrl(ids.map(String), false)]);
    expect(await preloads(`/compare?ids=${ids.join(',')}&x=time&smooth=0.5`)).toEqual([`/api/compare?ids=${ids.join('%2C')}&points=500`]);
  });

  it('names nothing the server would refuse, nor for other pages', async () => {
    for (const path of ['/compare?ids=1', '/compare?ids=1,1', '/compare?ids=1,x', '/compare', '/', `/runs/${reg.plain[0]}`]) expect(await preloads(path), path).toEqual([]);
  });
});

describe('sweeps and models', () => {
  it('lists the sweep with its trial states, objective and best trial', async () => {
    const { body } = await get<SweepItem[]>('/api/sweeps');
    expect(body).toHaveLength(1);
    const [sweep] = body;
    expect(sweep).toMatchObject({ id: reg.sweep, experiment: 'sweep:cars-regression', status: 'finished', trials: 3, objective: { metric: 'test_rmse', direction: 'minimize' } });
    expect(Object.values(sweep.states).reduce((a, b) => a + b, 0)).toBe(3);
    expect(sweep.best?.value).toEqual(expect.any(Number));
  });

  it("shows a sweep's definition and trials, and refuses a run that is not one", async () => {
    const { body } = await get<SweepDetail>(`/api/sweeps/${reg.sweep}`);
    expect(body.trials.map((t) => t.number)).toEqual([0, 1, 2]);
    expect(body.trials[0]).toMatchObject({ state: expect.any(String), params: expect.any(Object) });
    expect(Object.keys(body.trials[0].params).length).toBeGreaterThan(0);
    expect((body.definition as { objective: unknown }).objective).toMatchObject({ metric: 'test_rmse' });
    const notSweep = await get<ErrorBody>(`/api/sweeps/${reg.plain[0]}`);
    expect(notSweep.status).toBe(404);
    expect(notSweep.body.error.message).toMatch(/is not a sweep: expected a sweep's parent run/);
  });

  it('lists models and a model with its versions, their runs and alias history', async () => {
    expect((await get<ModelItem[]>('/api/models')).body).toEqual([expect.objectContaining({ name: 'penguins', versions: 1, latestVersion: 1, aliases: { prod: 1 } })]);
    const { body } = await get<ModelDetail>('/api/models/penguins');
    expect(body.versions[0]).toMatchObject({ version: 1, runId: reg.model, aliases: ['prod'], run: { experiment: 'penguins-mlp', status: 'finished' } });
    expect(body.history[0]).toMatchObject({ alias: 'prod', fromVersion: null, toVersion: 1 });
    expect((await get('/api/models/nope')).status).toBe(404);
  });
});

describe('GET /api and live events', () => {
  it('describes itself: store, location, read-only, every route', async () => {
    const { body } = await get<{ store: string; location: string; readOnly: boolean; routes: { path: string }[] }>('/api');
    expect(body).toMatchObject({ store: 'sqlite', location: reg.path, readOnly: true });
    expect(body.routes.map((r) => r.path)).toEqual(expect.arrayContaining(['/api/runs', '/api/compare', '/api/events']));
  });

  it('sends a `runs` event when another process records a run, and only then', async () => {
    const controller = new AbortController();
    const response = await fetch(`${ui.url}/api/events`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // One read in flight at a time: a read abandoned to a timeout would swallow its chunk.
    let pending: Promise<{ done: boolean; value?: Uint8Array }> | null = null;
    const read = async (until: (t: string) => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!until(text) && Date.now() < deadline) {
        pending ??= reader.read();
        const chunk = await Promise.race([pending, new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
        if (chunk === null) continue;
        pending = null;
        if (!chunk.done) text += decoder.decode(chunk.value);
      }
    };
    await read(() => false, 400);
    expect(text).not.toContain('event: runs');
    const registry = openRegistry({ db: reg.path });
    registry.startRun({ experiment: 'live', config: {} }).end();
    registry.close();
    await read((t) => t.includes('event: runs'), 5000);
    expect(text).toMatch(/event: runs\ndata: \{"version":"\d+"\}/);
    controller.abort();
  });
});
