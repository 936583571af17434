/** The HTTP app (hono): auth, body limit, metrics and error handling around the TF Serving and KServe v2 routes. */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { routePath } from 'hono/route';
import { LabbookError } from '../errors';
import { sameToken } from '../http';
import type { Batcher } from './batcher';
import type { ServeMetrics } from './metrics';
import type { Served } from './model';
import { isPrediction, noted, noteError } from './monitor-hook';
import { addRoutes } from './routes';
import type { Sample } from '../monitor/store';

export interface AppContext {
  served: Served;
  batcher: Batcher;
  metrics: ServeMetrics;
  token?: string;
  maxBodyBytes: number;
  /** Requests being answered now: shutdown waits for them. */
  state: { inFlight: number; closing: boolean };
  log: (line: string) => void;
  /** The monitoring store's writer: told of every answered predict request, after the answer. */
  record?: (sample: Sample) => void;
}

export function buildApp(ctx: AppContext): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    const end = ctx.metrics.latency.startTimer();
    const started = performance.now();
    ctx.metrics.inFlight.inc();
    ctx.state.inFlight++;
    try {
      await next();
    } finally {
      ctx.state.inFlight--;
      ctx.metrics.inFlight.dec();
      // The route pattern, not the URL: model names and versions must not multiply the series.
      const route = `${c.req.method} ${routePath(c, -1)}`;
      end({ route });
      ctx.metrics.requests.inc({ route, code: String(c.res.status) });
      // A client on a kept-alive connection during shutdown is told to reconnect elsewhere.
      if (ctx.state.closing) c.header('Connection', 'close');
      if (ctx.record && isPrediction(c.req.method, c.req.path)) {
        const { examples, predictions, error } = noted(c);
        const { name, version } = ctx.served;
        ctx.record({ model: name, version, at: Date.now(), latencyMs: performance.now() - started, examples, predictions, status: c.res.status, error });
      }
    }
  });
  app.use('*', async (c, next) => {
    if (ctx.token === undefined || c.req.path.startsWith('/v2/health/')) return next();
    const header = c.req.header('authorization');
    // The scheme is case-insensitive (RFC 7235); the token is not.
    const given = header !== undefined && /^bearer /i.test(header) ? header.slice('bearer '.length) : null;
    if (given !== null && sameToken(given, ctx.token)) return next();
    c.header('WWW-Authenticate', 'Bearer');
    return c.json(
      { error: `Unauthorized: expected the header \`Authorization: Bearer <token>\` with the token this server was started with, received ${header === undefined ? 'no Authorization header' : given === null ? 'an Authorization header that is not a Bearer token' : 'a different token'}. Send the server's token.` },
      401,
    );
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: ctx.maxBodyBytes,
      onError: (c) => c.json({ error: `Request body too large: expected at most ${ctx.maxBodyBytes} bytes, received more. Split the examples over several requests.` }, 413),
    }),
  );
  addRoutes(app, ctx);
  app.notFound((c) =>
    c.json({ error: `No route ${c.req.method} ${c.req.path}: expected /v1/models/${ctx.served.name}[/versions/${ctx.served.version}][/metadata|:predict], /v2/models/${ctx.served.name}[/infer|/ready], /v2/health/live|ready or /metrics. Check the URL.` }, 404),
  );
  app.onError((error, c) => errorResponse(error, c, ctx));
  return app;
}

/** A client's mistake is its 400 or 404; anything else is a 500 with the message, logged once here. */
function errorResponse(error: Error, c: Context, ctx: AppContext): Response {
  noteError(c, error.message);
  if (error instanceof LabbookError && error.code === 'INVALID_ARGUMENT') return c.json({ error: error.message }, 400);
  if (error instanceof LabbookError && error.code === 'NOT_FOUND') return c.json({ error: error.message }, 404);
  ctx.log(`500 on ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
  return c.json({ error: `Internal error answering ${c.req.method} ${c.req.path}: ${error.message}. The server logged it and keeps serving; report it if it repeats.` }, 500);
}
