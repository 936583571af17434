/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (page.evaluate callbacks run in the browser: they are typed against the DOM.)
/**
 * `labbook ui` in a real browser over a registry of real runs: the runs table (filter, its
 * mistakes, sort, grouping), a run's page, the comparison and its permalink, sweeps and models, and HTML in
 * user text staying text. One server and one browser page for the file; every test also fails on
 * a console error, an uncaught exception or a CSP violation in the page.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Compare, ModelDetail, RunDetail, RunsPage, SweepDetail, SweepItem } from '../../kernel-lib/src/ui/api';
import { alongsideBrowser, apiGet, canvasInk, drawnPoints, expectClean, hoverTexts, killUiServers, plottedPoints, requireChromium, rowIds, startUiServer, stopUiServer, until, watchedPage, type UiServer, type Watched } from './browser';
import { buildFixture, EVIL_CONFIG_NOTE, EVIL_NAME, EVIL_TAG_KEY, EVIL_TAG_VALUE, FAILED_ERROR, type Fixture } from './fixture';

let fixture: Fixture;
let server: UiServer;
let browser: Browser;
let context: BrowserContext;
let tab: Watched;
let page: Page;
/** Errors the current test provokes on purpose (a 400 for a bad filter): not counted against it. */
let allowed: RegExp[] = [];

beforeAll(async () => {
  requireChromium();
  [fixture, browser] = await alongsideBrowser(buildFixture());
  server = await startUiServer(['--port', '0', '--db', fixture.db]);
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  tab = await watchedPage(context);
  page = tab.page;
}, 120_000);

afterEach(() => {
  const allow = allowed;
  allowed = [];
  expectClean(tab, allow);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  if (server) await stopUiServer(server);
  killUiServers();
});

const runsOf = async (query: string): Promise<number[]> => (await apiGet<RunsPage>(server, `/api/runs?limit=10000${query}`)).runs.map((r) => r.id);

/** Waits until the rows in the DOM are `ids`, in this order. */
async function expectRows(ids: number[]): Promise<void> {
  await expect.poll(() => rowIds(page), { timeout: 10_000 }).toEqual(ids);
}

async function openRuns(query = ''): Promise<void> {
  await page.goto(`${server.url}/${query}`);
  await page.waitForSelector('[data-testid=run-row]');
}

const pwned = () => page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);

describe('the runs table', () => {
  it("lists the registry's runs newest first, with their count, and marks when its first rows painted", async () => {
    await openRuns();
    const all = await runsOf('');
    // 2 penguins runs, 1 cars run, the sweep and its 4 trials, the failed, the HTML-named and the long run.
    expect(all).toHaveLength(11);
    for (const id of [...fixture.penguins, fixture.cars!, fixture.sweep!, ...fixture.trials, fixture.failed, fixture.evil, fixture.long]) expect(all).toContain(id);
    await expectRows(all);
    await expect.poll(() => page.textContent('[data-testid=run-count]')).toContain(String(all.length));
    const painted = await page.evaluate(() => performance.getEntriesByName('labbook:runs-painted').length);
    expect(painted).toBe(1);
    // A CLI run without a name reads "run N"; the name links to its page.
    const link = page.locator(`[data-testid=run-row][data-run-id="${fixture.long}"] a[href="/runs/${fixture.long}"]`);
    expect(await link.textContent()).toBe('long-run');
  });

  it('a filter (applied with Enter) narrows the rows to what the API matches, and the URL keeps it across a reload', async () => {
    await openRuns();
    const where = 'metrics.loss < 5';
    const expected = await runsOf(`&where=${encodeURIComponent(where)}`);
    const all = await runsOf('');
    expect(expected.length).toBeGreaterThan(2);
    expect(expected.length).toBeLessThan(all.length);
    await page.fill('[data-testid=filter]', where);
    await page.press('[data-testid=filter]', 'Enter');
    await expectRows(expected);
    await expect.poll(() => new URL(page.url()).searchParams.get('where')).toBe(where);
    await expect.poll(() => page.textContent('[data-testid=run-count]')).toContain(String(expected.length));
    await page.reload();
    await page.waitForSelector('[data-testid=run-row]');
    await expectRows(expected);
    expect(await page.inputValue('[data-testid=filter]')).toBe(where);
  });

  it("a filter mistake shows the server's message with a caret under the column it names", async () => {
    allowed = [/status of 400/];
    // Typed and applied with Enter, then straight from the URL: both show the same error.
    const cases: { where: string; how: 'typed' | 'url'; column: number }[] = [
      { where: 'confg.lr > 1', how: 'typed', column: 1 },
      { where: 'config.learningRate >', how: 'url', column: 'config.learningRate >'.length + 1 },
    ];
    for (const { where, how, column } of cases) {
      const response = await fetch(`${server.url}/api/runs?where=${encodeURIComponent(where)}`);
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { message: string; position: number } };
      expect(error.position).toBe(column);
      if (how === 'typed') {
        await openRuns();
        await page.fill('[data-testid=filter]', where);
        await page.press('[data-testid=filter]', 'Enter');
      } else {
        await page.goto(`${server.url}/?where=${encodeURIComponent(where)}`);
      }
      const box = page.locator('[data-testid=filter-error]');
      await box.waitFor();
      expect(await box.textContent()).toContain(error.message);
      expect(await caretColumn(where)).toBe(column);
      expect(await page.locator('[data-testid=run-row]').count()).toBe(0);
    }
  });

  it('a click on a metric header sorts by it ascending, a second click descending, in the order the API sorts', async () => {
    await openRuns();
    const header = page.locator('[data-sort="metrics.loss"]');
    await header.click();
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('metrics.loss');
    const ascending = await runsOf('&sort=metrics.loss');
    await expectRows(ascending);
    await header.click();
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('-metrics.loss');
    const descending = await runsOf('&sort=-metrics.loss');
    await expectRows(descending);
    // The losses read from the API are in order; the runs without a loss (the sweep's parent) last or first, but together.
    const { runs } = await apiGet<RunsPage>(server, '/api/runs?limit=10000&sort=metrics.loss');
    const losses = runs.map((r) => r.metrics.loss).filter((v): v is number => typeof v === 'number');
    expect(losses).toEqual([...losses].sort((a, b) => a - b));
    expect(descending).not.toEqual(ascending);
  });

  it('grouping by experiment heads each experiment with its count, and the URL keeps the grouping', async () => {
    await openRuns();
    await page.selectOption('[data-testid=group-by]', 'experiment');
    await expect.poll(() => new URL(page.url()).searchParams.get('group')).toBe('experiment');
    const { runs } = await apiGet<RunsPage>(server, '/api/runs?limit=10000');
    const counts = new Map<string, number>();
    for (const run of runs) counts.set(run.experiment, (counts.get(run.experiment) ?? 0) + 1);
    // The headers are the app's [data-testid=group-row] rows: each names its experiment and count.
    const headers = page.locator('[data-testid=group-row]');
    await expect.poll(() => headers.count()).toBe(counts.size);
    const texts = (await headers.allTextContents()).map((t) => t.replace(/\s+/g, ' '));
    for (const [experiment, count] of counts) expect(texts.some((t) => t.includes(experiment) && t.includes(String(count))), `${experiment} ${count} in ${texts.join(' | ')}`).toBe(true);
    expect((await rowIds(page)).sort((a, b) => a - b)).toEqual(runs.map((r) => r.id).sort((a, b) => a - b));
    await page.reload();
    await expect.poll(() => headers.count()).toBe(counts.size);
    expect(await page.inputValue('[data-testid=group-by]')).toBe('experiment');
  });
});

describe("a run's page", () => {
  it('opens from its name in the table: title, a drawn metric chart, the reproduce command', async () => {
    await openRuns();
    await page.click(`[data-testid=run-row][data-run-id="${fixture.long}"] a[href="/runs/${fixture.long}"]`);
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/runs/${fixture.long}`);
    await page.waitForSelector('[data-testid=run-title]');
    expect(await page.textContent('[data-testid=run-title]')).toContain('long-run');
    // The loss history has 200 steps: the drawn trace has many points (plotly drops those on a straight stretch), not an empty plot.
    expect(await drawnPoints(page, '[data-metric=loss]')).toBeGreaterThanOrEqual(50);
    const detail = await apiGet<RunDetail>(server, `/api/runs/${fixture.long}`);
    expect(detail.reproduce.length).toBeGreaterThan(0);
    expect((await page.textContent('[data-testid=reproduce]'))?.replace(/\s+/g, ' ')).toContain(detail.reproduce.replace(/\s+/g, ' '));
  });

  it('a run trained by the CLI draws its per-batch history', async () => {
    await page.goto(`${server.url}/runs/${fixture.penguins[0]}`);
    await page.waitForSelector('[data-testid=run-title]');
    expect(await page.textContent('[data-testid=run-title]')).toContain(String(fixture.penguins[0]));
    // 3 epochs of 15 batches: batch_loss has 45 points, all given to plotly, and its line is drawn through them.
    const drawn = await drawnPoints(page, '[data-metric=batch_loss]');
    expect(await plottedPoints(page, '[data-metric=batch_loss]')).toBe(45);
    expect(drawn).toBeGreaterThanOrEqual(30);
    expect(await page.textContent('[data-testid=reproduce]')).toContain(`reproduce ${fixture.penguins[0]}`);
  });

  it('a failed run shows its error', async () => {
    await page.goto(`${server.url}/runs/${fixture.failed}`);
    await page.waitForSelector('[data-testid=run-error]');
    expect(await page.textContent('[data-testid=run-error]')).toContain(FAILED_ERROR);
    expect(await page.textContent('[data-testid=run-title]')).toContain('diverged');
  });
});

describe('comparing runs', () => {
  it('three runs selected in the table compare: diff table, drawn curves, parallel coordinates; the permalink reloads the same view', async () => {
    const chosen = [fixture.penguins[0], fixture.penguins[1], fixture.evil];
    await openRuns();
    for (const id of chosen) await page.check(`[data-testid=run-row][data-run-id="${id}"] [data-testid=select-run]`);
    await page.click('[data-testid=compare-button]');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/compare');
    const ids = (new URL(page.url()).searchParams.get('ids') ?? '').split(',').map(Number);
    expect([...ids].sort((a, b) => a - b)).toEqual([...chosen].sort((a, b) => a - b));

    const view = await compareView();
    const compare = await apiGet<Compare>(server, `/api/compare?ids=${ids.join(',')}`);
    expect(compare.differs).toContain('config.learningRate');
    expect(view.diff).toContain('learningRate');
    for (const value of ['0.01', '0.03', '0.02']) expect(view.diff).toContain(value);
    // Every run has a loss curve; the longest (50 steps) is drawn, all its points given to plotly.
    expect(view.points).toBe(50);
    expect(view.legend).toContain(`#${fixture.evil} ${EVIL_NAME}`);
    await expectParallelCoordinatesDrawn(chosen.length);
    expect(await page.locator('[data-testid=leaderboard]').count()).toBe(1);
    // Metric vs parameter: a marker per run that has both (the two penguins runs at least).
    await until(page, () => document.querySelectorAll('[data-testid=metric-vs-param] svg.main-svg path.point').length >= 2, undefined, 'the metric-vs-param markers');
    expect(await pwned()).toBeUndefined();

    await page.reload();
    const again = await compareView();
    expect(again).toEqual(view);
    expect(new URL(page.url()).searchParams.get('ids')).toBe(ids.join(','));
  });

  it('fetches its data once, preloaded from the page the server sends, and the times only for curves by time', async () => {
    const ids = [fixture.penguins[0], fixture.penguins[1], fixture.evil].join(',');
    await page.goto(`${server.url}/compare?ids=${ids}`);
    await compareView();
    const requests = () => page.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name).filter((name) => name.includes('/api/compare')));
    const [first, ...more] = await requests();
    expect(more).toEqual([]);
    expect(new URL(first).searchParams.get('times')).toBe('0');
    expect(new URL((await page.getAttribute('link[rel=preload][as=fetch]', 'href'))!, server.url).href).toBe(first);

    const xTitles = () => page.$$eval('[data-testid=compare-curves] .xtitle', (titles) => [...new Set(titles.map((t) => t.textContent))]);
    await page.selectOption('[data-testid=curve-x]', 'time');
    await expect.poll(requests).toHaveLength(2);
    expect(new URL((await requests())[1]).searchParams.has('times')).toBe(false);
    await expect.poll(xTitles).toEqual(['seconds since the run started']);
    // The evil run's 50 losses, charted by time (logged in a tight loop, they draw as a few points).
    await drawnPoints(page, '[data-testid=compare-curves] [data-metric=loss]');
    expect(await plottedPoints(page, '[data-testid=compare-curves] [data-metric=loss]')).toBe(50);
    // Back to steps, the times already loaded serve: no third request.
    await page.selectOption('[data-testid=curve-x]', 'step');
    await expect.poll(xTitles).toEqual(['step']);
    expect(await requests()).toHaveLength(2);
  });
});

describe('HTML in user text', () => {
  it('a run named with markup shows its name as text in the table, on its page and in the compare legend; nothing of it runs', async () => {
    const cols = ['config.note', `tags.${EVIL_TAG_KEY}`].map((id) => id.replace(/[%,]/g, encodeURIComponent)).join(',');
    await openRuns(`?cols=${encodeURIComponent(cols)}`);
    const row = page.locator(`[data-testid=run-row][data-run-id="${fixture.evil}"]`);
    const text = await row.textContent();
    expect(text).toContain(EVIL_NAME);
    expect(text).toContain(EVIL_CONFIG_NOTE);
    expect(text).toContain(EVIL_TAG_VALUE);
    await expectInert();

    await page.click(`[data-testid=run-row][data-run-id="${fixture.evil}"] a[href="/runs/${fixture.evil}"]`);
    await page.waitForSelector('[data-testid=run-title]');
    expect(await page.textContent('[data-testid=run-title]')).toContain(EVIL_NAME);
    const body = await page.textContent('main');
    expect(body).toContain(EVIL_CONFIG_NOTE);
    expect(body).toContain(EVIL_TAG_KEY);
    expect(body).toContain(EVIL_TAG_VALUE);
    await drawnPoints(page, '[data-metric=loss]');
    await expectInert();

    // Beside a 3-epoch run: the middle of its 50-step curve is nearest to no other run's point.
    await page.goto(`${server.url}/compare?ids=${fixture.evil},${fixture.penguins[0]}`);
    const view = await compareView();
    expect(view.legend).toContain(`#${fixture.evil} ${EVIL_NAME}`);
    // plotly's hover label names the run as typed too (cut short by plotly: "#10 <img ...").
    const hovers = await hoverTexts(page, '[data-testid=compare-curve]');
    expect(hovers.some((text) => text.startsWith(`#${fixture.evil} <img `)), hovers.join(' | ')).toBe(true);
    // And so does the parallel-coordinates line's tooltip.
    expect(await page.$$eval('[data-testid=parallel-coordinates] title', (titles) => titles.map((t) => t.textContent))).toContain(`#${fixture.evil} ${EVIL_NAME}`);
    await expectInert();
  });
});

describe('sweeps and models', () => {
  it('the sweeps page lists the sweep; its page lists its four trials, each linking to its run', async () => {
    await page.goto(`${server.url}/sweeps`);
    await page.waitForSelector('[data-testid=sweep-row]');
    const sweeps = await apiGet<SweepItem[]>(server, '/api/sweeps');
    expect(sweeps.map((s) => s.id)).toEqual([fixture.sweep]);
    expect(await page.locator('[data-testid=sweep-row]').count()).toBe(1);
    await page.click(`[data-testid=sweep-row] a[href="/sweeps/${fixture.sweep}"]`);
    await page.waitForSelector('[data-testid=trial-row]');
    const detail = await apiGet<SweepDetail>(server, `/api/sweeps/${fixture.sweep}`);
    expect(detail.trials.map((t) => t.run).sort((a, b) => a - b)).toEqual(fixture.trials);
    expect(await page.locator('[data-testid=trial-row]').count()).toBe(4);
    for (const run of fixture.trials) expect(await page.locator(`[data-testid=trial-row] a[href="/runs/${run}"]`).count()).toBe(1);
  });

  it('the models page lists the model with its alias; its versions link to the runs they came from', async () => {
    await page.goto(`${server.url}/models`);
    await page.waitForSelector('[data-testid=model-row]');
    const rows = page.locator('[data-testid=model-row]');
    expect(await rows.count()).toBe(1);
    expect(await rows.textContent()).toContain('penguins');
    await page.click('[data-testid=model-row] a[href="/models/penguins"]');
    const model = await apiGet<ModelDetail>(server, '/api/models/penguins');
    expect(model.versions.map((v) => v.runId)).toEqual([fixture.model!.run]);
    expect(model.aliases).toEqual({ champion: 1 });
    const link = page.locator(`a[href="/runs/${fixture.model!.run}"]`);
    await link.first().waitFor();
    expect(await page.textContent('main')).toContain('champion');
    await link.first().click();
    await page.waitForSelector('[data-testid=run-title]');
    expect(new URL(page.url()).pathname).toBe(`/runs/${fixture.model!.run}`);
  });
});

/**
 * The 1-based column of the filter error's expression that its visible `^` stands under, measured
 * on screen (the caret's left edge against each character's), or null when there is no caret.
 */
async function caretColumn(where: string): Promise<number | null> {
  return page.evaluate((expression) => {
    const box = document.querySelector('[data-testid=filter-error]')!;
    const visible = (node: Text) => node.parentElement !== null && getComputedStyle(node.parentElement).visibility === 'visible' && node.parentElement.getClientRects().length > 0;
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    let text: Text | null = null;
    let caret: Text | null = null;
    for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
      if (!visible(node)) continue;
      if (text === null && node.data.includes(expression)) text = node;
      else if (node.data.trim() === '^') caret = node;
    }
    if (text === null || caret === null) return null;
    const rect = (node: Text, at: number) => {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + 1);
      return range.getBoundingClientRect();
    };
    const hat = rect(caret, caret.data.indexOf('^'));
    const start = text.data.indexOf(expression);
    // Column c starts at character c-1's left edge; one past the end starts at the last one's right edge.
    const lefts = [...expression].map((_, i) => rect(text!, start + i).left);
    lefts.push(rect(text, start + expression.length - 1).right);
    const under = hat.top >= rect(text, start).bottom - 1;
    const nearest = lefts.reduce((best, left, i) => (Math.abs(left - hat.left) < Math.abs(lefts[best] - hat.left) ? i : best), 0);
    return under && Math.abs(lefts[nearest] - hat.left) < 2 ? nearest + 1 : null;
  }, where);
}

/**
 * What the compare page shows once every curve is drawn: the diff table's text, the legend (the list
 * of the runs compared, in their colours: plotly's own legend is off), the most points a loss trace has.
 */
async function compareView(): Promise<{ diff: string; legend: string[]; points: number }> {
  await page.waitForSelector('[data-testid=diff-table]');
  await until(page, (mark) => performance.getEntriesByName(mark).length > 0, 'labbook:compare-painted', 'the mark labbook:compare-painted');
  await drawnPoints(page, '[data-testid=compare-curves] [data-metric=loss]');
  const points = await plottedPoints(page, '[data-testid=compare-curves] [data-metric=loss]');
  const legend = (await page.$$eval('.compare-runs .legend li a[href^="/runs/"]', (links) => links.map((a) => (a.textContent ?? '').trim()))).sort();
  return { diff: (await page.innerText('[data-testid=diff-table]')).trim(), legend, points };
}

/**
 * The parallel-coordinates plot has a line for each run, not only axes: drawn in SVG, a polyline or
 * path through every axis per run; drawn by plotly, its WebGL canvases hold pixels (read back; the
 * hidden picking canvas aside).
 */
async function expectParallelCoordinatesDrawn(runs: number): Promise<void> {
  const selector = '[data-testid=parallel-coordinates]';
  await page.waitForSelector(selector);
  if ((await page.locator(`${selector} svg.main-svg`).count()) > 0) {
    await expect.poll(() => canvasInk(page, `${selector} canvas:not(.gl-canvas-pick)`)).toBeGreaterThan(1000);
    return;
  }
  const lines = await page.$$eval(`${selector} polyline, ${selector} path`, (shapes) =>
    shapes.map((shape) => (shape.getAttribute('points') ?? shape.getAttribute('d') ?? '').match(/-?\d+(\.\d+)?[ ,]-?\d+(\.\d+)?/g)?.length ?? 0).filter((points) => points >= 2),
  );
  expect(lines.length).toBeGreaterThanOrEqual(runs);
}

/** Nothing of the markup ran or became an element: no script flag, no <img src=x>, no javascript: link. */
async function expectInert(): Promise<void> {
  expect(await pwned()).toBeUndefined();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
  expect(await page.locator('main script').count()).toBe(0);
}
