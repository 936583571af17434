/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (page.evaluate callbacks run in the browser: they are typed against the DOM.)
/**
 * `labbook ui` as a server, through a real browser: a run added while the runs page is open
 * appears without a reload; with a token, nothing is answered without it and opening /?token=T once
 * lets the browser in; binding beyond loopback without a token is refused.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunsPage } from '../../kernel-lib/src/ui/api';
import { expectMistakes } from '../helpers';
import { alongsideBrowser, apiGet, expectClean, killUiServers, requireChromium, rowIds, startUiServer, stopUiServer, watchedPage, type UiServer, type Watched } from './browser';
import { addRun, buildFixture, type Fixture } from './fixture';

let fixture: Fixture;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  requireChromium();
  [fixture, browser] = await alongsideBrowser(buildFixture({ light: true }));
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  killUiServers();
});

async function freshContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  return context;
}

describe('live updates', () => {
  let server: UiServer;
  let tab: Watched;

  beforeAll(async () => {
    server = await startUiServer(['--port', '0', '--db', fixture.db]);
    tab = await watchedPage(await freshContext());
  });
  afterAll(async () => {
    await tab?.page.close();
    if (server) await stopUiServer(server);
  });

  /** Writes a run from this process while the page shows the table, and waits for its row: no reload, the same document. */
  async function expectLiveRow(name: string, before: number[]): Promise<void> {
    const { page } = tab;
    await page.evaluate(() => ((window as unknown as { __samePage: boolean }).__samePage = true));
    const id = addRun(fixture.db, name);
    const row = page.locator(`[data-testid=run-row][data-run-id="${id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain(name);
    await expect.poll(() => rowIds(page)).toEqual([id, ...before]);
    await expect.poll(() => page.textContent('[data-testid=run-count]')).toContain(String(before.length + 1));
    expect(await page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage)).toBe(true);
    expectClean(tab);
  }

  const listed = async () => (await apiGet<RunsPage>(server, '/api/runs')).runs.map((r) => r.id);

  it('a run written to the registry while the runs page is open appears in the table without a reload', async () => {
    await tab.page.goto(`${server.url}/`);
    await tab.page.waitForSelector('[data-testid=run-row]');
    const before = await listed();
    await expect.poll(() => rowIds(tab.page)).toEqual(before);
    // The page has been open a moment (its event stream connected and the server polling).
    await tab.page.waitForTimeout(2500);
    await expectLiveRow('arrived-live', before);
  });

  it('a run written just as the table paints its first rows appears too (no change is lost between loading and listening)', async () => {
    await tab.page.goto(`${server.url}/`);
    await tab.page.waitForSelector('[data-testid=run-row]');
    await expectLiveRow('arrived-at-once', await listed());
  });
});

describe('the token', () => {
  const TOKEN = 'f3a9c2e17b5d48a6903e1c7d2b6a4f80';

  it('without it every page and API route answers 401; /?token=T once sets a cookie, leaves the address bar, and the app works', async () => {
    const server = await startUiServer(['--host', '0.0.0.0', '--token', TOKEN, '--port', '0', '--db', fixture.db]);
    expect(server.line).toMatch(/^labbook ui: http:\/\/0\.0\.0\.0:\d+\/ \(registry; read-only; open it with \?token=T once\)\. Ctrl-C stops it\.$/);
    expect(server.line).not.toContain(TOKEN);
    for (const path of ['/', '/runs/1', '/api', '/api/runs', '/api/events', '/assets/x.js']) {
      const response = await fetch(`${server.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 401 });
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    }
    expect((await fetch(`${server.url}/api/runs`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${server.url}/api/runs`, { headers: { authorization: `Bearer ${TOKEN.replace('f', 'e')}` } })).status).toBe(401);

    const context = await freshContext();
    const tab = await watchedPage(context);
    const { page } = tab;
    const denied = await page.goto(`${server.url}/`);
    expect(denied?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('Unauthorized');
    const wrong = await page.goto(`${server.url}/?token=${TOKEN.slice(0, -1)}1`);
    expect(wrong?.status()).toBe(401);
    expect(await context.cookies()).toEqual([]);
    expectClean(tab, [/status of 401/]);

    const opened = await page.goto(`${server.url}/?token=${TOKEN}`);
    expect(opened?.status()).toBe(200);
    expect(new URL(page.url()).search).toBe('');
    const cookies = await context.cookies();
    expect(cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite }))).toEqual([{ name: 'labbook_ui_token', httpOnly: true, sameSite: 'Strict' }]);
    await page.waitForSelector('[data-testid=run-row]');
    const runs = (await apiGet<RunsPage>(server, '/api/runs', { authorization: `Bearer ${TOKEN}` })).runs.map((r) => r.id);
    await expect.poll(() => rowIds(page)).toEqual(runs);
    // Later pages need no token in the URL: the cookie carries it.
    await page.goto(`${server.url}/runs/${fixture.long}`);
    await page.waitForSelector('[data-testid=run-title]');
    expect(await page.textContent('[data-testid=run-title]')).toContain('long-run');
    // The browser's own favicon request of a denied page may arrive late; the app's requests all passed.
    expectClean(tab, [/status of 401 .*\/favicon\.ico\)$/]);
    await page.close();
    await stopUiServer(server);
  });

  it('binding beyond loopback without a token is refused with exit 2 and one line saying what to pass', async () => {
    await expectMistakes(
      [
        [['ui', '--host', '0.0.0.0', '--port', '0'], /^labbook: Refusing to serve on "0\.0\.0\.0" without a token: .*Pass --token T \(at least 16 characters; or set LABBOOK_UI_TOKEN\), or bind to 127\.0\.0\.1\./],
        [['ui', '--host', '0.0.0.0', '--port', '0', '--token', 'short'], /token.*at least 16 characters/],
      ],
      fixture.db,
      { LABBOOK_UI_TOKEN: '' },
    );
  });
});
