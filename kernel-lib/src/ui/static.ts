/** The built browser app (dist/ui-app, made by Vite at build time, plotly.js minified beside it), served from the package: no CDN, works offline. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Hono } from 'hono';
import { LabbookError } from '../errors';
import { compareIds, compareUrl } from './page-requests';
import { compareIdsParam } from './query';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Where `npm run build` puts the app: kernel-lib/dist/ui-app, two levels above this file in src/ui and in dist/ui alike. */
export const APP_DIR = join(__dirname, '..', '..', 'dist', 'ui-app');

/** The API address a page fetches first, when its address alone says it and the API would take it; else null. */
function firstRequest(path: string, query: URLSearchParams): string | null {
  if (path !== '/compare') return null;
  try {
    compareIdsParam({ ids: query.get('ids') ?? undefined });
  } catch (error) {
    // A list the API refuses: the page's own fetch gets the error to show.
    if (error instanceof LabbookError) return null;
    throw error;
  }
  return compareUrl(compareIds(query), query.get('x') === 'time');
}

/** Every file is read once at start: the app is ~100 KB, and a request never touches the disk. */
export function addStatic(app: Hono): void {
  if (!existsSync(join(APP_DIR, 'index.html'))) {
    throw new LabbookError('NOT_FOUND', `The web app is not built: expected ${join(APP_DIR, 'index.html')}, found no file. Run \`npm run build\` at the project root (it builds the app with Vite).`);
  }
  // As Uint8Array over a plain ArrayBuffer: the body type fetch's Response takes everywhere.
  const read = (file: string) => new Uint8Array(readFileSync(file));
  const index = read(join(APP_DIR, 'index.html'));
  const indexText = new TextDecoder().decode(index);
  const assets = new Map<string, Uint8Array<ArrayBuffer>>();
  const dir = join(APP_DIR, 'assets');
  if (existsSync(dir)) for (const name of readdirSync(dir)) assets.set(name, read(join(dir, name)));
  const plotly = read(join(APP_DIR, 'vendor', 'plotly.min.js'));

  app.get('/assets/:name', (c) => {
    const name = c.req.param('name');
    const body = assets.get(name);
    if (!body) return c.json({ error: { code: 'NOT_FOUND', message: `No asset ${JSON.stringify(name)}: expected a file of this build. Reload the page.` } }, 404);
    // Vite puts a content hash in every asset's name, so a cached copy is never stale.
    return new Response(body, { headers: { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream', 'cache-control': 'public, max-age=31536000, immutable' } });
  });
  app.get('/vendor/plotly.min.js', () => new Response(plotly, { headers: { 'content-type': TYPES['.js'], 'cache-control': 'public, max-age=86400' } }));
  // Every other page is the app, which routes on the path itself.
  app.get('*', (c) => {
    if (c.req.path.startsWith('/api/') || c.req.path === '/api') return c.json({ error: { code: 'NOT_FOUND', message: `No route GET ${c.req.path}: expected one GET /api lists. Check the URL.` } }, 404);
    const preload = firstRequest(c.req.path, new URL(c.req.url).searchParams);
    // The page's data is asked for while its script loads (~250 ms sooner for a comparison).
    const body = preload === null ? index : new TextEncoder().encode(indexText.replace('</head>', `<link rel="preload" as="fetch" crossorigin="anonymous" href="${preload.replace(/&/g, '&amp;')}">\n</head>`));
    return new Response(body, { headers: { 'content-type': TYPES['.html'], 'cache-control': 'no-cache' } });
  });
}
