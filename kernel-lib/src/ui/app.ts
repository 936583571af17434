/** The UI's HTTP app (hono): guards, the JSON API, server-sent events and the static app, with one error shape. */
import { Hono } from 'hono';
import { LabbookError } from '../errors';
import { RunEvents } from './events';
import { fail, loopbackHost, readOnly, securityHeaders, tokenGuard } from './guard';
import { addRoutes } from './routes';
import type { UiSource } from './source';
import { addStatic } from './static';

export interface AppOptions {
  source: UiSource;
  host: string;
  token?: string;
  version: string;
  log: (line: string) => void;
  /** How often the store is polled for changes while a page listens (ms). */
  pollMs?: number;
}

export function buildApp(options: AppOptions): { app: Hono; events: RunEvents } {
  const app = new Hono();
  const events = new RunEvents(options.source, options.pollMs, options.log);
  app.use('*', securityHeaders());
  app.use('*', readOnly());
  app.use('*', loopbackHost(options.host));
  app.use('*', tokenGuard(options.token));
  app.get('/api/events', (c) => events.respond(c));
  addRoutes(app, options.source, options.version);
  addStatic(app);
  app.onError((error, c) => {
    if (error instanceof LabbookError) {
      const status = error.code === 'NOT_FOUND' ? 404 : error.code === 'INVALID_FILTER' || error.code === 'INVALID_ARGUMENT' ? 400 : 500;
      if (status === 500) options.log(`labbook ui: ${c.req.method} ${c.req.path}: ${error.code}: ${error.message}`);
      return fail(c, status, error.code, error.message, error.position);
    }
    options.log(`labbook ui: 500 on ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    return fail(c, 500, 'INTERNAL', `Internal error answering ${c.req.method} ${c.req.path}: ${error.message}. The server logged it and keeps serving; report it if it repeats.`);
  });
  return { app, events };
}
