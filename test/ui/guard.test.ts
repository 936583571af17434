/** What guards `labbook ui`: loopback by default, a token elsewhere, read-only, Host checked, headers that keep pages inert. */
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { startUi } from '../../kernel-lib/src/ui';
import { CLI, runNode, tempDir } from '../helpers';

const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
let db: string;

beforeAll(() => {
  db = join(tempDir('labbook-ui-guard-'), 'labbook.db');
  const registry = openRegistry({ db, create: true });
  registry.startRun({ experiment: 'e', config: { lr: 0.1 } }).end();
  registry.close();
});

describe('on loopback, without a token', () => {
  let ui: Awaited<ReturnType<typeof startUi>>;
  beforeAll(async () => {
    ui = await startUi({ db, port: 0, log: () => {} });
  });
  afterAll(() => ui?.close());

  it('binds 127.0.0.1 by default and serves the app with a CSP that allows no inline script', async () => {
    expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(`${ui.url}/runs/1`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
  });

  it('serves plotly and the assets from the package', async () => {
    const plotly = await fetch(`${ui.url}/vendor/plotly.min.js`);
    expect(plotly.status).toBe(200);
    expect((await plotly.text()).length).toBeGreaterThan(1_000_000);
    const missing = await fetch(`${ui.url}/assets/nope.js`);
    expect(missing.status).toBe(404);
  });

  it('is read-only: every method but GET and HEAD is refused', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(`${ui.url}/api/runs`, { method });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('READ_ONLY');
    }
  });

  it('answers only Host names of this machine (a rebound DNS name gets nothing)', async () => {
    const port = new URL(ui.url).port;
    expect((await withHost(`${ui.url}/api`, `localhost:${port}`)).status).toBe(200);
    const rebound = await withHost(`${ui.url}/api`, `attacker.example:${port}`);
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.body).error.message).toContain('Unexpected Host "attacker.example:');
  });

  it('answers an unknown API route with a JSON 404', async () => {
    const response = await fetch(`${ui.url}/api/nope`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});

describe('with a token', () => {
  let ui: Awaited<ReturnType<typeof startUi>>;
  beforeAll(async () => {
    ui = await startUi({ db, port: 0, token: TOKEN, log: () => {} });
  });
  afterAll(() => ui?.close());

  it('refuses the API and the page without it, and a wrong one', async () => {
    for (const path of ['/api/runs', '/', '/vendor/plotly.min.js']) {
      const response = await fetch(`${ui.url}${path}`);
      expect(response.status, path).toBe(401);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^Unauthorized: expected this server's token .* received none\./);
    }
    const wrong = await fetch(`${ui.url}/api/runs`, { headers: { authorization: `Bearer ${TOKEN.replace('a', 'b')}` } });
    expect(wrong.status).toBe(401);
  });

  it('takes a Bearer token (scripts) and a cookie set once by /?token= (browsers)', async () => {
    expect((await fetch(`${ui.url}/api/runs`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const opened = await fetch(`${ui.url}/runs/1?token=${TOKEN}&x=1`, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    // The token leaves the address bar; the cookie cannot be read by scripts or sent cross-site.
    expect(opened.headers.get('location')).toBe('/runs/1?x=1');
    const cookie = opened.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const withCookie = await fetch(`${ui.url}/api/runs`, { headers: { cookie: cookie.split(';')[0] } });
    expect(withCookie.status).toBe(200);
    // ?token= on the API is not a way in: it would end up in logs.
    expect((await fetch(`${ui.url}/api/runs?token=${TOKEN}`)).status).toBe(401);
  });
});

/** fetch() will not send another Host than the URL's; node:http will, as a browser on a rebound name does. */
function withHost(url: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { ...headers, host } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('starting', () => {
  it('refuses an address other machines reach without a token, and a short token', async () => {
    await expect(startUi({ db, host: '0.0.0.0', port: 0 })).rejects.toThrow(/Refusing to serve on "0\.0\.0\.0" without a token: .*LABBOOK_UI_TOKEN/);
    await expect(startUi({ db, port: 0, token: 'short' })).rejects.toThrow(/Invalid value for `token`: expected a string of at least 16 characters/);
  });

  it('binds elsewhere with a token', async () => {
    const ui = await startUi({ db, host: '0.0.0.0', port: 0, token: TOKEN, log: () => {} });
    try {
      expect(ui.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
      const port = new URL(ui.url).port;
      // Off loopback any Host is answered: the token is the guard there.
      expect((await withHost(`http://127.0.0.1:${port}/api`, `box.lan:${port}`, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    } finally {
      await ui.close();
    }
  });

  it('`labbook ui` says what is wrong in one line and exits 2: no token off loopback, a bad port, a missing registry', async () => {
    const cases: [string[], RegExp][] = [
      [['ui', '--host', '0.0.0.0', '--db', db], /^labbook: Refusing to serve on "0\.0\.0\.0" without a token/],
      [['ui', '--port', 'http', '--db', db], /^labbook: Invalid value for `--port`: expected an integer from 0 to 65535/],
      [['ui', '--db', join(tempDir('labbook-ui-none-'), 'none.db')], /^labbook: .*none\.db/],
    ];
    for (const [args, message] of cases) {
      const result = await runNode([CLI, ...args], { env: { LABBOOK_UI_TOKEN: undefined } });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
