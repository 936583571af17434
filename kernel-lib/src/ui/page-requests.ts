/**
 * API addresses built the same way by the browser app and by the server: the server names a page's
 * first request in the HTML it sends (`<link rel=preload>`), so the browser asks for the data while
 * it is still loading the app's script, and the app's own fetch of that address is served from it.
 * No Node or DOM APIs here: both sides import this file.
 */

export type Query = Record<string, string | number | undefined>;

export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return `/api${path}${text ? `?${text}` : ''}`;
}

/**
 * Points per series on the compare page: about 10,000 per chart, 100 to 500 a run (the server keeps
 * each bucket's min and max). plotly's time grows with the points it draws.
 */
export function comparePoints(runs: number): number {
  return Math.max(100, Math.min(500, Math.floor(10_000 / runs)));
}

/** The compare page's request for `ids` as its URL has them; times only for charts by time. */
export function compareUrl(ids: readonly string[], byTime: boolean): string {
  return apiUrl('/compare', { ids: ids.join(','), points: comparePoints(ids.length), times: byTime ? undefined : 0 });
}

/** The ids of a /compare page's address, as the page sends them (the server checks them). */
export function compareIds(query: URLSearchParams): string[] {
  return (query.get('ids') ?? '').split(',').filter((id) => id !== '');
}
