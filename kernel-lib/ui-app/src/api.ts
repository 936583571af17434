/** The typed client of labbook's JSON API: every page reads through `api`, never through fetch directly. */
import type { ApiError, ApiIndex, Compare, ModelDetail, ModelItem, RunDetail, RunMetrics, RunsPage, SweepDetail, SweepItem } from '../../src/ui/api';

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

type Query = Record<string, string | number | undefined>;

export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return `/api${path}${text ? `?${text}` : ''}`;
}

async function get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
  const response = await fetch(apiUrl(path, query), { signal, headers: { accept: 'application/json' } });
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

const ids = (list: readonly number[]) => list.join(',');

export const api = {
  index: (signal?: AbortSignal) => get<ApiIndex>('', undefined, signal),
  runs: (query: { where?: string; sort?: string; experiment?: string; parent?: number; limit?: number; offset?: number }, signal?: AbortSignal) => get<RunsPage>('/runs', query, signal),
  run: (id: number, signal?: AbortSignal) => get<RunDetail>(`/runs/${id}`, undefined, signal),
  metrics: (id: number, query: { keys?: readonly string[]; points?: number } = {}, signal?: AbortSignal) =>
    get<RunMetrics>(`/runs/${id}/metrics`, { keys: query.keys?.join(','), points: query.points }, signal),
  /** A URL to download an artifact's bytes (checked against its hash by the server). */
  artifactUrl: (id: number, name: string) => apiUrl(`/runs/${id}/artifacts/${encodeURIComponent(name)}`),
  compare: (runIds: readonly number[], query: { keys?: readonly string[]; points?: number } = {}, signal?: AbortSignal) =>
    get<Compare>('/compare', { ids: ids(runIds), keys: query.keys?.join(','), points: query.points }, signal),
  sweeps: (signal?: AbortSignal) => get<SweepItem[]>('/sweeps', undefined, signal),
  sweep: (id: number, signal?: AbortSignal) => get<SweepDetail>(`/sweeps/${id}`, undefined, signal),
  models: (signal?: AbortSignal) => get<ModelItem[]>('/models', undefined, signal),
  model: (name: string, signal?: AbortSignal) => get<ModelDetail>(`/models/${encodeURIComponent(name)}`, undefined, signal),
  /** Server-sent events: `runs` fires whenever a run starts, logs, ends or changes. */
  events: () => new EventSource('/api/events'),
};
