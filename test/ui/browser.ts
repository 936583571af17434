/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (page.evaluate callbacks run in the browser: they are typed against the DOM.)
/**
 * Test support for the web UI in a real browser: Debian's Chromium driven by playwright-core
 * (playwright's own browser download cannot reach its CDN here), `labbook ui` as a real child
 * process, and a watch on each page for console errors, uncaught exceptions and CSP violations.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { CLI, collect, ROOT, waitForLine, type Finished } from '../helpers';

export const CHROMIUM = process.env.LABBOOK_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'];

/**
 * Chromium with a fresh temporary profile (playwright makes it under os.tmpdir() and removes it on
 * close). A machine without Debian's chromium fails here, saying what to install: never a skip.
 */
export async function launchBrowser(): Promise<Browser> {
  requireChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** Launches Chromium while `work` (a fixture) builds; either failing, the other is not left behind. */
export async function alongsideBrowser<T>(work: Promise<T>): Promise<[T, Browser]> {
  const [done, launched] = await Promise.allSettled([work, launchBrowser()]);
  if (done.status === 'rejected') {
    if (launched.status === 'fulfilled') await launched.value.close();
    throw done.reason;
  }
  if (launched.status === 'rejected') throw launched.reason;
  return [done.value, launched.value];
}

/** Throws, saying what to install, where Chromium is missing: called first, before a fixture starts building. */
export function requireChromium(): void {
  if (existsSync(CHROMIUM)) return;
  throw new Error(
    `Chromium not found: expected Debian's chromium at ${CHROMIUM} (the web UI's browser tests drive it with playwright-core), received no such file. Install it with \`apt-get install chromium\` (or \`npm run setup\`, which runs kernel-lib/scripts/system-packages.sh), or point LABBOOK_CHROMIUM at a Chromium binary.`,
  );
}

export interface UiServer {
  child: ChildProcess;
  /** http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  /** The startup line as printed. */
  line: string;
  done: Promise<Finished>;
}

const servers = new Set<ChildProcess>();

/** `labbook ui ARGS` (add --port 0 --db ...), once it printed its address. */
export async function startUiServer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<UiServer> {
  const child = spawn(process.execPath, [CLI, 'ui', ...args], { cwd: ROOT, env: { ...process.env, LABBOOK_UI_TOKEN: undefined, LABBOOK_DB: undefined, ...env } });
  servers.add(child);
  const done = collect(child);
  void done.finally(() => servers.delete(child));
  let line: string;
  try {
    line = await waitForLine(child, 'labbook ui: ');
  } catch (error) {
    const finished = await done;
    throw new Error(`labbook ui ${args.join(' ')} exited (${finished.code}) before printing its address: ${finished.stderr.trim() || (error as Error).message}`);
  }
  const match = /^labbook ui: http:\/\/([^/\s]+):(\d+)\/ /.exec(line);
  expect(match, line).not.toBeNull();
  // A server bound to every interface is reached on loopback.
  const host = match![1] === '0.0.0.0' || match![1] === '[::]' ? '127.0.0.1' : match![1];
  return { child, url: `http://${host}:${match![2]}`, line, done };
}

/** SIGTERM, as Ctrl-C or a service manager stops it: the server closes and exits 0. */
export async function stopUiServer(server: UiServer): Promise<Finished> {
  server.child.kill('SIGTERM');
  const finished = await server.done;
  expect({ code: finished.code, signal: finished.signal, stderr: finished.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  return finished;
}

/** For afterAll: no server outlives its test file, even when a test failed midway. */
export function killUiServers(): void {
  for (const child of servers) child.kill('SIGKILL');
}

export interface Watched {
  page: Page;
  /** Console errors, uncaught exceptions and CSP violations since the last take(), and clears them. */
  take(): string[];
}

/**
 * A page whose console errors, uncaught exceptions and Content-Security-Policy violations are
 * recorded (the CSP's own reports, so a blocked inline script or style shows even when the app
 * catches the failure).
 */
export async function watchedPage(context: BrowserContext): Promise<Watched> {
  const page = await context.newPage();
  // A missing element fails in seconds, not playwright's default 30.
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console.error: ${message.text()} (${message.location().url || 'no url'})`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('crash', () => problems.push('the page crashed'));
  await page.exposeFunction('__labbookCspViolation', (text: string) => problems.push(`CSP violation: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { __labbookCspViolation(text: string): void }).__labbookCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  return {
    page,
    take: () => problems.splice(0),
  };
}

/**
 * No console error, exception or CSP violation happened on the page since the last check, but
 * those matching `allow` (the network errors a test provokes on purpose, such as a 400 for a bad filter).
 */
export function expectClean(watched: Watched, allow: RegExp[] = []): void {
  expect(watched.take().filter((problem) => !allow.some((pattern) => pattern.test(problem)))).toEqual([]);
}

/** The `d` attributes of the plotly line traces under `selector` (`path.js-line`: scatter traces). */
export async function tracePaths(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(`${selector} svg.main-svg path.js-line`, (paths) => paths.map((p) => p.getAttribute('d') ?? ''));
}

/** The number of points a path's `d` draws (its M and L commands' coordinate pairs). */
export function pathPoints(d: string): number {
  return (d.match(/-?\d+(\.\d+)?(e-?\d+)?,-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).length;
}

/**
 * Waits until the plotly chart under `selector` has drawn line traces, and returns the most points
 * any one of its traces draws. Name one chart (`[data-metric=loss]`): charts are drawn one after
 * another, so "the most under the page" would depend on how many were drawn when it was read.
 * plotly drops points on a nearly straight stretch, so this is at most what it was given.
 */
export async function drawnPoints(page: Page, selector: string, timeout = 20_000): Promise<number> {
  await until(page, (sel) => Array.from(document.querySelectorAll(`${sel} svg.main-svg path.js-line`)).some((p) => (p.getAttribute('d') ?? '').length > 0), selector, `a drawn line trace in ${selector}`, timeout);
  return Math.max(0, ...(await tracePaths(page, selector)).map(pathPoints));
}

/** The most points plotly was given for one trace of the chart under `selector` (its graph div's `data`). */
export async function plottedPoints(page: Page, selector: string): Promise<number> {
  return page.$eval(`${selector} .js-plotly-plot`, (plot) => Math.max(0, ...((plot as unknown as { data?: { y?: unknown[] }[] }).data ?? []).map((trace) => trace.y?.length ?? 0)));
}

/**
 * Polls `predicate` in the page until it holds. Not page.waitForFunction: that evaluates its
 * predicate with eval inside the page, which the UI's CSP (no 'unsafe-eval') rightly refuses.
 */
export async function until<A>(page: Page, predicate: (arg: A) => boolean, arg: A, what: string, timeout = 20_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    const holds = await page.evaluate(predicate as (arg: unknown) => boolean, arg as unknown).catch((error: Error) => (/context was destroyed|navigat/i.test(error.message) ? false : Promise.reject(error)));
    if (holds) return;
    if (Date.now() - start > timeout) throw new Error(`Timed out after ${timeout} ms waiting for ${what} on ${page.url()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * How many pixels of the canvases `selector` matches differ from each one's first pixel: 0 when
 * nothing was drawn. WebGL canvases are copied to a 2D canvas first (their drawing buffer may be gone).
 */
export async function canvasInk(page: Page, selector: string): Promise<number> {
  return page.$$eval(selector, (canvases) => {
    let ink = 0;
    for (const source of canvases as HTMLCanvasElement[]) {
      if (source.width === 0 || source.height === 0) continue;
      const copy = document.createElement('canvas');
      copy.width = source.width;
      copy.height = source.height;
      const context = copy.getContext('2d')!;
      context.drawImage(source, 0, 0);
      const data = context.getImageData(0, 0, copy.width, copy.height).data;
      for (let i = 4; i < data.length; i += 4) {
        if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2] || data[i + 3] !== data[3]) ink++;
      }
    }
    return ink;
  });
}

/**
 * The hover labels plotly shows when the mouse rests on the middle of each line trace of the chart
 * `selector` names (the first such chart): what a user reads there, as text.
 */
export async function hoverTexts(page: Page, selector: string): Promise<string[]> {
  const chart = page.locator(selector).first();
  await chart.scrollIntoViewIfNeeded();
  const spots = await chart.evaluate((el) =>
    [...el.querySelectorAll('svg.main-svg path.js-line')].flatMap((path) => {
      const line = path as SVGPathElement;
      const length = line.getTotalLength();
      const matrix = line.getScreenCTM();
      if (!(length > 0) || matrix === null) return [];
      const point = line.getPointAtLength(length / 2).matrixTransform(matrix);
      return [{ x: point.x, y: point.y }];
    }),
  );
  const texts: string[] = [];
  for (const spot of spots) {
    await page.mouse.move(spot.x, spot.y);
    const label = chart.locator('.hoverlayer .hovertext');
    try {
      await label.first().waitFor({ timeout: 2000 });
      texts.push(...(await label.allTextContents()));
    } catch {
      // no point close enough under the mouse there
    }
    await page.mouse.move(0, 0);
  }
  return texts;
}

/** The ids of the run rows in the DOM, top to bottom. */
export async function rowIds(page: Page): Promise<number[]> {
  return page.$$eval('[data-testid=run-row]', (rows) =>
    rows
      .map((row) => ({ id: Number(row.getAttribute('data-run-id')), top: row.getBoundingClientRect().top }))
      .sort((a, b) => a.top - b.top)
      .map((row) => row.id),
  );
}

/** GET an API path of the server, as JSON (with a cookie or bearer header when given). */
export async function apiGet<T>(server: UiServer, path: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(`${server.url}${path}`, { headers });
  const body = await response.text();
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${body}`);
  return JSON.parse(body) as T;
}
