/**
 * The web UI benchmark (`npm run bench -- ui [--runs=10000] [--repeats=5]`): two registries written
 * through the library (10,000 runs for the table; 100 runs x 5 metrics x 1,000 steps for the
 * comparison), `labbook ui` over each (its own process, as a user starts it), and headless Chromium (Debian's,
 * driven by playwright-core) timing from navigation start to the app's own marks: `labbook:runs-painted`
 * on `/` and `labbook:compare-painted` on `/compare?ids=<the 100>`. Cold is a new browser context
 * (empty cache), warm its reload; each the median of `repeats`. The comparison is timed again as a
 * new server's first page (nothing thinned yet). The API is timed from Node with fetch.
 * Goal: every browser figure under 1000 ms.
 */
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRegistry } from '../registry';
import { createRng } from '../repro/rng';
import type { RunningUi } from '../ui';
import { compareUrl } from '../ui/page-requests';

const GOAL_MS = 1000;
const CHROMIUM = process.env.LABBOOK_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'];
/** Writer processes for the big registry: starting a run captures the environment (a git call), which is what costs. */
const WRITERS = 2;
const EXPERIMENTS = ['mnist-mlp', 'cifar-cnn', 'imdb-lstm', 'tabular-gbm'];

interface WriteSpec {
  db: string;
  kind: 'table' | 'curves';
  from: number;
  to: number;
}

export interface PaintFigure {
  url: string;
  /** ms from navigation start to the mark, median of `repeats` new browser contexts (empty cache). */
  coldMs: number | null;
  /** The same after a reload (cache warm, server warm). */
  warmMs: number | null;
  goalMs: number;
  coldSamples: number[];
  warmSamples: number[];
  /** What the page held once painted (rows in the DOM: virtualization keeps them few; charts drawn). */
  painted: { [what: string]: number | string };
  /** Where the cold time went: ms from navigation start to each request's response end (median over the cold samples). */
  coldTimeline: { [request: string]: number | null };
  /** Console errors and exceptions the page logged while measured (first 5). */
  pageErrors: string[];
  error?: string;
}

export interface UiFigures {
  loadAverage: { before: number; after: number };
  registries: {
    table: { runs: number; metricsPerRun: number; stepsPerMetric: number; writers: number; writeSeconds: number; runsPerSec: number };
    curves: { runs: number; metricsPerRun: number; stepsPerMetric: number; writeSeconds: number; pointsPerSec: number };
  };
  /** Medians of `repeats`, ms, from Node (fetch, keep-alive), over the same servers. */
  api: {
    runsFirstPageMs: number;
    runsFirstPageBytes: number;
    runsSortedFirstPageMs: number;
    /** Every run, paged as the app pages (200, then 5,000 at a time). */
    runsAllMs: number;
    runsAllPages: number;
    runsAllBytes: number;
    /**
     * GET /api/compare of the 100 runs at the default 500 points per series, and as the page asks
     * (100 points, no times), from a warm server: after the untimed round, answers it keeps.
     */
    compareMs: number;
    compareBytes: number;
    comparePageRequestMs: number;
    comparePageRequestBytes: number;
    /** The page's request as a new server process's first: nothing thinned or kept yet, its code not yet compiled by V8. */
    comparePageRequestFirstMs: number;
  };
  browser: { runsPage: PaintFigure; comparePage: PaintFigure; comparePageNewServer: PaintFigure } | { error: string };
}

export async function benchUi(options: { runs?: number; repeats?: number } = {}): Promise<UiFigures> {
  const runs = options.runs ?? 10_000;
  const repeats = options.repeats ?? 5;
  const dir = mkdtempSync(join(tmpdir(), 'labbook-bench-ui-'));
  const before = loadavg()[0];
  const servers: UiProcess[] = [];
  try {
    const tableDb = join(dir, 'table', 'labbook.db');
    const curvesDb = join(dir, 'curves', 'labbook.db');
    openRegistry({ db: tableDb, create: true }).close();
    openRegistry({ db: curvesDb, create: true }).close();
    process.stderr.write(`ui: writing ${runs} runs (${WRITERS} processes) and 100 runs of 5 x 1,000 points through the library...\n`);
    let start = performance.now();
    const share = Math.ceil(runs / WRITERS);
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => write({ db: tableDb, kind: 'table', from: w * share, to: Math.min(runs, (w + 1) * share) }, dir)));
    const tableSeconds = (performance.now() - start) / 1000;
    start = performance.now();
    await write({ db: curvesDb, kind: 'curves', from: 0, to: 100 }, dir);
    const curvesSeconds = (performance.now() - start) / 1000;

    const table = await uiProcess(tableDb);
    servers.push(table);
    const curves = await uiProcess(curvesDb);
    servers.push(curves);
    const compareIds = ((await getJson(`${curves.url}/api/runs?limit=100&sort=id`)) as { runs: { id: number }[] }).runs.map((r) => r.id);

    const fresh = () => uiProcess(curvesDb);
    const api = await apiFigures(table.url, curves.url, compareIds, repeats, fresh);
    process.stderr.write('ui: timing the pages in Chromium...\n');
    const browser = await browserFigures(`${table.url}/`, curves.url, `/compare?ids=${compareIds.join(',')}`, repeats, fresh);
    return {
      loadAverage: { before, after: loadavg()[0] },
      registries: {
        table: { runs, metricsPerRun: 4, stepsPerMetric: 10, writers: WRITERS, writeSeconds: round(tableSeconds, 1), runsPerSec: round(runs / tableSeconds, 1) },
        curves: { runs: 100, metricsPerRun: 5, stepsPerMetric: 1000, writeSeconds: round(curvesSeconds, 1), pointsPerSec: Math.round(500_000 / curvesSeconds) },
      },
      api,
      browser,
    };
  } finally {
    for (const server of servers) await server.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

type UiProcess = Pick<RunningUi, 'url' | 'close'>;

/**
 * `labbook ui --db DB --port 0` in a process of its own, as a user runs it: the servers then share
 * neither heap nor event loop with this process (which drives the browser and holds every answer).
 */
function uiProcess(db: string): Promise<UiProcess> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'cli', 'main.js'), 'ui', '--db', db, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error(`labbook ui --db ${db} exited before printing its address: ${err.trim()}`)));
    child.stdout!.on('data', (d) => {
      out += d;
      const address = /^labbook ui: (http:\/\/[^/\s]+)\//m.exec(out);
      if (!address) return;
      resolve({
        url: address[1],
        close: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

/** One writer process (this module, forked), in the temp folder: no repository around it, as a notebook's folder may be. */
function write(spec: WriteSpec, cwd: string): Promise<void> {
  const child = fork(__filename, ['--write', JSON.stringify(spec)], { cwd, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`ui bench writer (${spec.kind} ${spec.from}-${spec.to}) failed (${code}): ${err.trim()}`))));
  });
}

/**
 * Runs i in [from, to): for the table, 4 experiments, a config of 6 keys (one nested), 2 tags and 4
 * metrics over 10 steps; for the comparison, 5 metrics over 1,000 steps each.
 */
function writeRuns(spec: WriteSpec): void {
  const registry = openRegistry({ db: spec.db });
  try {
    for (let i = spec.from; i < spec.to; i++) {
      const rng = createRng(i + 1);
      const lr = 10 ** (-4 + 3 * rng.next());
      const quality = Math.min(0.99, 0.6 + 0.35 * rng.next());
      const config = {
        learningRate: Number(lr.toPrecision(3)),
        batchSize: [16, 32, 64, 128][i % 4],
        optimizer: ['adam', 'sgd', 'rmsprop'][i % 3],
        epochs: spec.kind === 'curves' ? 1000 : 10,
        dropout: (i % 6) / 10,
        model: { units: 32 << (i % 4), layers: 1 + (i % 3) },
      };
      const run = registry.startRun({
        experiment: EXPERIMENTS[i % EXPERIMENTS.length],
        name: `${spec.kind === 'curves' ? 'curve' : 'trial'}-${i}`,
        seed: i + 1,
        config,
        tags: { team: ['a', 'b', 'c'][i % 3], stage: i % 10 === 0 ? 'candidate' : 'explore' },
      });
      const steps = spec.kind === 'curves' ? 1000 : 10;
      for (let step = 0; step < steps; step++) {
        const t = (step + 1) / steps;
        const loss = (1 - quality) + Math.exp(-4 * t) + 0.02 * rng.normal();
        const point: { [key: string]: number } = { loss, accuracy: quality * (1 - Math.exp(-5 * t)), val_loss: loss * 1.1 + 0.02 * rng.normal(), val_accuracy: quality * (1 - Math.exp(-5 * t)) * 0.97 };
        if (spec.kind === 'curves') point.lr = lr * (1 - t / 2);
        run.log(point, step);
      }
      run.end();
    }
  } finally {
    registry.close();
  }
}

async function apiFigures(table: string, curves: string, ids: number[], repeats: number, fresh: () => Promise<UiProcess>): Promise<UiFigures['api']> {
  const timed = async (url: string) => {
    const start = performance.now();
    const response = await fetch(url);
    const text = await response.text();
    if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${text.slice(0, 200)}`);
    return { ms: performance.now() - start, bytes: Buffer.byteLength(text), json: JSON.parse(text) as { more?: boolean; runs?: unknown[] } };
  };
  const first: number[] = [];
  const sorted: number[] = [];
  const all: number[] = [];
  const compare: number[] = [];
  const pageRequest: number[] = [];
  const pageRequestFirst: number[] = [];
  let pageRequestBytes = 0;
  let firstBytes = 0;
  let allPages = 0;
  let allBytes = 0;
  let compareBytes = 0;
  // One untimed round first: the server's statements prepared, its pages in the OS cache.
  for (let r = -1; r < repeats; r++) {
    const page = await timed(`${table}/api/runs?limit=200`);
    const bySort = await timed(`${table}/api/runs?limit=200&sort=-metrics.val_accuracy`);
    let ms = 0;
    let pages = 0;
    let bytes = 0;
    let offset = 0;
    for (let limit = 200, more = true; more; limit = 5000) {
      const next = await timed(`${table}/api/runs?limit=${limit}&offset=${offset}`);
      ms += next.ms;
      bytes += next.bytes;
      pages++;
      offset += next.json.runs!.length;
      more = next.json.more === true;
    }
    const both = await timed(`${curves}/api/compare?ids=${ids.join(',')}`);
    const request = compareUrl(ids.map(String), false);
    const asPage = await timed(`${curves}${request}`);
    const server = await fresh();
    const firstOfServer = await timed(`${server.url}${request}`).finally(() => server.close());
    if (r < 0) continue;
    pageRequest.push(asPage.ms);
    pageRequestBytes = asPage.bytes;
    pageRequestFirst.push(firstOfServer.ms);
    first.push(page.ms);
    sorted.push(bySort.ms);
    all.push(ms);
    compare.push(both.ms);
    [firstBytes, allPages, allBytes, compareBytes] = [page.bytes, pages, bytes, both.bytes];
  }
  return {
    runsFirstPageMs: median(first),
    runsFirstPageBytes: firstBytes,
    runsSortedFirstPageMs: median(sorted),
    runsAllMs: median(all),
    runsAllPages: allPages,
    runsAllBytes: allBytes,
    compareMs: median(compare),
    compareBytes,
    comparePageRequestMs: median(pageRequest),
    comparePageRequestBytes: pageRequestBytes,
    comparePageRequestFirstMs: median(pageRequestFirst),
  };
}

async function browserFigures(runsUrl: string, curvesUrl: string, comparePath: string, repeats: number, fresh: () => Promise<UiProcess>): Promise<UiFigures['browser']> {
  if (!existsSync(CHROMIUM)) {
    return { error: `Chromium not found: expected Debian's chromium at ${CHROMIUM}, received no such file. Install it with \`apt-get install chromium\` (or \`npm run setup\`), or set LABBOOK_CHROMIUM.` };
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
  try {
    const runsPage = await paint(
      browser,
      runsUrl,
      'labbook:runs-painted',
      repeats,
      {
        rowsInDom: "document.querySelectorAll('[data-testid=run-row]').length",
        runCount: "(document.querySelector('[data-testid=run-count]') || {}).textContent || ''",
      },
      { html: '/', script: '/assets/', firstRunsPage: '/api/runs?' },
    );
    const compareProbes = {
      curvePreviews: "document.querySelectorAll('[data-testid=compare-curves] canvas.curve-preview').length",
      compareRequests: "performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/compare')).length",
    };
    const compareRequests = { html: '/compare', script: '/assets/', compareApi: '/api/compare?' };
    const comparePage = await paint(browser, `${curvesUrl}${comparePath}`, 'labbook:compare-painted', repeats, compareProbes, compareRequests);
    // The same page as a new server's first: nothing thinned yet. Its warm figure is the reload, as above.
    const firstViews: PaintFigure[] = [];
    for (let r = 0; r < repeats; r++) {
      const server = await fresh();
      try {
        firstViews.push(await paint(browser, `${server.url}${comparePath}`, 'labbook:compare-painted', 1, compareProbes, compareRequests));
      } finally {
        await server.close();
      }
    }
    const coldSamples = firstViews.flatMap((f) => f.coldSamples);
    const comparePageNewServer: PaintFigure = {
      ...firstViews[0],
      coldSamples,
      coldMs: coldSamples.length > 0 ? median(coldSamples) : null,
      warmSamples: firstViews.flatMap((f) => f.warmSamples),
      warmMs: null,
      pageErrors: firstViews.flatMap((f) => f.pageErrors).slice(0, 5),
      error: firstViews.find((f) => f.error !== undefined)?.error,
    };
    return { runsPage, comparePage, comparePageNewServer };
  } finally {
    await browser.close();
  }
}

type Browser = Awaited<ReturnType<(typeof import('playwright-core'))['chromium']['launch']>>;

/** Cold (a new context: empty cache, no service state) then warm (its reload), `repeats` times; the mark's startTime is ms from navigation start. */
async function paint(browser: Browser, url: string, mark: string, repeats: number, probes: { [what: string]: string }, requests: { [label: string]: string }): Promise<PaintFigure> {
  const figure: PaintFigure = { url: url.length > 120 ? `${url.slice(0, 117)}...` : url, coldMs: null, warmMs: null, goalMs: GOAL_MS, coldSamples: [], warmSamples: [], painted: {}, coldTimeline: {}, pageErrors: [] };
  const timelines: { [label: string]: number[] } = {};
  // The first request whose path starts with each prefix (the document itself: its navigation entry).
  const timeline = `(() => {
    const want = ${JSON.stringify(requests)};
    const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    const out = {};
    for (const [label, prefix] of Object.entries(want)) {
      const hit = entries.find((e) => { const u = new URL(e.name); return (u.pathname + u.search).startsWith(prefix) && (prefix !== '/' || u.pathname === '/'); });
      out[label] = hit ? hit.responseEnd : null;
    }
    return out;
  })()`;
  const reached = `performance.getEntriesByName(${JSON.stringify(mark)}).length > 0`;
  const read = `performance.getEntriesByName(${JSON.stringify(mark)})[0].startTime`;
  try {
    for (let r = 0; r < repeats; r++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const page = await context.newPage();
        page.on('console', (message) => message.type() === 'error' && figure.pageErrors.length < 5 && figure.pageErrors.push(message.text()));
        page.on('pageerror', (error) => figure.pageErrors.length < 5 && figure.pageErrors.push(error.message));
        await page.goto(url, { waitUntil: 'commit' });
        await until(page, reached, mark);
        figure.coldSamples.push(round(await page.evaluate<number>(read), 1));
        for (const [label, at] of Object.entries(await page.evaluate<{ [label: string]: number | null }>(timeline))) if (at !== null) (timelines[label] ??= []).push(at);
        await page.reload({ waitUntil: 'commit' });
        await until(page, reached, mark);
        figure.warmSamples.push(round(await page.evaluate<number>(read), 1));
        if (r === 0) for (const [what, expression] of Object.entries(probes)) figure.painted[what] = await page.evaluate<number | string>(expression);
      } finally {
        await context.close();
      }
    }
  } catch (error) {
    figure.error = (error as Error).message.split('\n')[0];
  }
  for (const label of Object.keys(requests)) figure.coldTimeline[label] = timelines[label] ? median(timelines[label]) : null;
  if (figure.coldSamples.length > 0) figure.coldMs = median(figure.coldSamples);
  if (figure.warmSamples.length > 0) figure.warmMs = median(figure.warmSamples);
  return figure;
}

/**
 * Polls `expression` from here (page.waitForFunction would evaluate it with eval inside the page,
 * which the UI's CSP forbids); the time measured is the page's own mark, not this loop's.
 */
async function until(page: Awaited<ReturnType<Browser['newPage']>>, expression: string, what: string, timeoutMs = 60_000): Promise<void> {
  // A navigation still settling destroys the context an evaluation ran in: that poll reads as not yet.
  const check = () => page.evaluate<boolean>(expression).catch((error: Error) => (/context was destroyed|navigat/i.test(error.message) ? false : Promise.reject(error)));
  for (const start = performance.now(); !(await check()); ) {
    if (performance.now() - start > timeoutMs) throw new Error(`the page never reached ${what} in ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[sorted.length >> 1], 1);
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

// Forked by write(): one share of a registry's runs.
if (require.main === module && process.argv[2] === '--write') writeRuns(JSON.parse(process.argv[3]) as WriteSpec);
