/** The typed client of labbook's JSON API: every page reads through `api`, never through fetch directly. */
import type { ApiError, ApiIndex, Compare, ModelDetail, ModelItem, RunDetail, RunMetrics, RunsPage, SweepDetail, SweepItem } from '../../src/ui/api';
import { apiUrl, compareUrl, type Query } from '../../src/ui/page-requests';

export type * from '../../src/ui/api';

/** An answer other than 2xx: the server's message, and the column of a filter or sort mistake. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly position?: number,
  ) {
    super(message);
  }
}

async function get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
  return getUrl<T>(apiUrl(path, query), signal);
}

async function getUrl<T>(url: string, signal?: AbortSignal): Promise<T> {
  // No request headers: a fetch the server told the browser to preload must match it exactly.
  const response = await fetch(url, { signal });
  if (!response.ok) {
    let body: ApiError | undefined;
    try {
      body = (await response.json()) as ApiError;
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    throw new ApiFailure(response.status, body?.error.code ?? 'HTTP', body?.error.message ?? `${response.status} ${response.statusText}`, body?.error.position);
  }
  return (await response.json()) as T;
}

export const api = {
  index: (signal?: AbortSignal) => get<ApiIndex>('', undefined, signal),
  runs: (query: { where?: string; sort?: string; experiment?: string; parent?: number; limit?: number; offset?: number }, signal?: AbortSignal) => get<RunsPage>('/runs', query, signal),
  run: (id: number, signal?: AbortSignal) => get<RunDetail>(`/runs/${id}`, undefined, signal),
  metrics: (id: number, query: { keys?: readonly string[]; points?: number } = {}, signal?: AbortSignal) =>
    get<RunMetrics>(`/runs/${id}/metrics`, { keys: query.keys?.join(','), points: query.points }, signal),
  /** A URL to download an artifact's bytes (checked against its hash by the server). */
  artifactUrl: (id: number, name: string) => apiUrl(`/runs/${id}/artifacts/${encodeURIComponent(name)}`),
  /** The ids as the page's URL has them (the server's message about a bad one quotes them); times only to chart by time. */
  compare: (runIds: readonly string[], byTime: boolean, signal?: AbortSignal) => getUrl<Compare>(compareUrl(runIds, byTime), signal),
  sweeps: (signal?: AbortSignal) => get<SweepItem[]>('/sweeps', undefined, signal),
  sweep: (id: number, signal?: AbortSignal) => get<SweepDetail>(`/sweeps/${id}`, undefined, signal),
  models: (signal?: AbortSignal) => get<ModelItem[]>('/models', undefined, signal),
  model: (name: string, signal?: AbortSignal) => get<ModelDetail>(`/models/${encodeURIComponent(name)}`, undefined, signal),
  /** Server-sent events: `runs` fires whenever a run starts, logs, ends or changes. */
  events: () => new EventSource('/api/events'),
};
