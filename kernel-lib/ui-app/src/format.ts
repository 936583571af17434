/** How values read on screen: numbers to 4 significant digits, local times, short durations. Text only: never HTML. */
import type { Json } from './api';

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

export function formatValue(value: Json | undefined): string {
  if (value === undefined) return '';
  if (value === null) return 'null';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

const pad = (n: number) => String(n).padStart(2, '0');

export function formatTime(ms: number | null): string {
  if (ms === null) return '–';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDuration(startedAt: number, endedAt: number | null, now = Date.now()): string {
  const seconds = ((endedAt ?? now) - startedAt) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${Math.round(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h ${Math.round((seconds % 3600) / 60)}m`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** A run's label where a name is shown: its name, else "run N". */
export function runLabel(run: { id: number; name: string | null }): string {
  return run.name ?? `run ${run.id}`;
}

/** Flattens nested config objects to dotted keys (the filter language's `config.a.b`). */
export function flatten(value: { [key: string]: Json }, prefix = '', out: { [key: string]: Json } = {}): { [key: string]: Json } {
  for (const [key, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) flatten(v, path, out);
    else out[path] = v;
  }
  return out;
}

/** Whether a higher value of this metric is better (accuracy) or a lower one (loss, error): names decide. */
export function higherIsBetter(metric: string): boolean {
  return !/loss|err|mse|mae|rmse|perplexity|time|latency/i.test(metric);
}
