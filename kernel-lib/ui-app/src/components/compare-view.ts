/** The compare page's view as its URL encodes it (so the URL is a permalink), each run's colour, and hrefs that change one setting. */
import type { Compare } from '../api';

export interface CompareView {
  /** Every diff entry, not only those that differ. */
  all: boolean;
  x: 'step' | 'time';
  /** TensorBoard's smoothing weight, 0 (raw) to 0.99. */
  smooth: number;
  /** The metric keys drawn as curves. */
  keys: string[];
  /** The metric the leaderboard ranks by and the parallel coordinates and scatter show. */
  metric: string | null;
  /** The config key of the metric-vs-parameter scatter. */
  param: string | null;
}

/** Metric keys of any run compared, sorted: the first is the default metric. */
export function metricKeys(data: Compare): string[] {
  return Object.keys(data.diff.metrics).sort();
}

/** Config keys whose values differ between the runs: the interesting axes. */
export function varyingConfig(data: Compare): string[] {
  return data.differs.filter((entry) => entry.startsWith('config.')).map((entry) => entry.slice('config.'.length));
}

export function readView(query: URLSearchParams, data: Compare): CompareView {
  const metrics = metricKeys(data);
  const wanted = query.get('keys')?.split(',').filter((key) => metrics.includes(key));
  const smooth = Number(query.get('smooth') ?? 0);
  const metric = query.get('metric');
  const param = query.get('param');
  return {
    all: query.get('all') === '1',
    x: query.get('x') === 'time' ? 'time' : 'step',
    smooth: Number.isFinite(smooth) ? Math.min(0.99, Math.max(0, smooth)) : 0,
    keys: wanted && wanted.length > 0 ? wanted : metrics,
    metric: metric !== null && metrics.includes(metric) ? metric : (metrics[0] ?? null),
    param: param !== null && param in data.diff.config ? param : (varyingConfig(data)[0] ?? Object.keys(data.diff.config)[0] ?? null),
  };
}

/** The current compare URL with `changes` applied (null removes a setting). Commas stay readable: ids=4,7,9. */
export function compareHref(query: URLSearchParams, changes: Record<string, string | null>): string {
  const next = new URLSearchParams(query);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) next.delete(key);
    else next.set(key, value);
  }
  return `/compare?${next.toString().replace(/%2C/g, ',')}`;
}

/** How charts name a run: its id, and its name when it has one. */
export function runTitle(run: { id: number; name: string | null }): string {
  return run.name === null ? `#${run.id}` : `#${run.id} ${run.name}`;
}

/** Distinct colours for the first ten runs (d3's category10); beyond, golden-angle hues. */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Each run's colour by its place in the comparison: the same in the legend, the tables and every chart. */
export function runColors(runs: readonly { id: number }[]): Map<number, string> {
  return new Map(runs.map((run, i) => [run.id, PALETTE[i] ?? `hsl(${Math.round((i * 137.508) % 360)}, 60%, 45%)`]));
}

/** Values of one entry differ from the first run's (how the diff table and leaderboard compare JSON). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
