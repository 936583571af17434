/** What the monitoring store is told of one predict request: the routes note its examples and predictions, the outer middleware adds status and latency. */
import type { Context } from 'hono';

export interface Noted {
  examples: unknown[] | null;
  predictions: unknown[] | null;
  error: string | null;
}

// Keyed by the request object, so nothing outlives the request and no hono context typing is needed.
const notes = new WeakMap<Request, Noted>();

export function noteExamples(c: Context, examples: unknown[]): void {
  notes.set(c.req.raw, { ...(notes.get(c.req.raw) ?? { predictions: null, error: null }), examples });
}

export function notePredictions(c: Context, predictions: unknown[]): void {
  notes.set(c.req.raw, { ...(notes.get(c.req.raw) ?? { examples: null, error: null }), predictions });
}

export function noteError(c: Context, error: string): void {
  notes.set(c.req.raw, { ...(notes.get(c.req.raw) ?? { examples: null, predictions: null }), error });
}

export function noted(c: Context): Noted {
  return notes.get(c.req.raw) ?? { examples: null, predictions: null, error: null };
}

/** Predict and infer: the requests monitoring samples (health, metadata and /metrics are not traffic). */
export function isPrediction(method: string, path: string): boolean {
  return method === 'POST' && (/^\/v1\/models\/[^/]+(\/versions\/[^/]+)?$/.test(path) || /\/infer$/.test(path));
}
