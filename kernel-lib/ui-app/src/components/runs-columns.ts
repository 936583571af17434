/** The runs table's chosen columns (config, metric and tag keys): discovery, defaults, the `cols=` URL form, sort fields, cell text. */
import type { Json } from '../api';
import { formatNumber, formatValue } from '../format';
import type { Row } from './runs-data';

export type ColumnKind = 'config' | 'metrics' | 'tags';

/** `id` is `<kind>.<key>`, as in `cols=` and the filter language (`config.lr`, `metrics.loss`). */
export interface Column {
  id: string;
  kind: ColumnKind;
  key: string;
}

export interface Keys {
  config: string[];
  metrics: string[];
  tags: string[];
  /** The default choice: frequent metrics, and config keys whose values differ between runs. */
  defaults: string[];
}

const KINDS: readonly ColumnKind[] = ['config', 'metrics', 'tags'];
const MAX_DEFAULT = 8;
const STORAGE = 'labbook.runs.cols';

export function column(id: string): Column | null {
  const dot = id.indexOf('.');
  const kind = id.slice(0, dot) as ColumnKind;
  return dot > 0 && KINDS.includes(kind) && dot < id.length - 1 ? { id, kind, key: id.slice(dot + 1) } : null;
}

/** Every key the loaded runs have, in one pass: 10,000 runs take a few milliseconds. */
export function discoverKeys(rows: readonly Row[]): Keys {
  const counts = { config: new Map<string, number>(), metrics: new Map<string, number>(), tags: new Map<string, number>() };
  const firstValue = new Map<string, string>();
  const varying = new Set<string>();
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const { run, config } of rows) {
    for (const [key, value] of Object.entries(config)) {
      count(counts.config, key);
      if (varying.has(key)) continue;
      const text = JSON.stringify(value);
      const first = firstValue.get(key);
      if (first === undefined) firstValue.set(key, text);
      else if (first !== text) varying.add(key);
    }
    for (const key of Object.keys(run.metrics)) count(counts.metrics, key);
    for (const key of Object.keys(run.tags)) count(counts.tags, key);
  }
  const byUse = (map: Map<string, number>) => [...map.keys()].sort((a, b) => map.get(b)! - map.get(a)! || a.localeCompare(b));
  const sorted = (map: Map<string, number>) => [...map.keys()].sort((a, b) => a.localeCompare(b));
  const defaults = [
    ...byUse(counts.config).filter((key) => varying.has(key)).slice(0, MAX_DEFAULT).map((key) => `config.${key}`),
    ...byUse(counts.metrics).slice(0, MAX_DEFAULT).map((key) => `metrics.${key}`),
  ];
  return { config: sorted(counts.config), metrics: sorted(counts.metrics), tags: sorted(counts.tags), defaults };
}

// Commas separate ids in `cols=`; a key holding one (or %) is percent-escaped so it survives the round trip.
export const formatCols = (ids: readonly string[]): string => ids.map((id) => id.replace(/[%,]/g, encodeURIComponent)).join(',');

export function parseCols(text: string): string[] {
  return text
    .split(',')
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    })
    .filter((id) => column(id) !== null);
}

/** The choice last made in the picker, the default for a URL without `cols=`. */
export function storedCols(): string[] | null {
  try {
    const text = localStorage.getItem(STORAGE);
    return text === null ? null : parseCols(text);
  } catch {
    return null; // storage disabled (private mode, policy): the computed default serves
  }
}

export function storeCols(ids: readonly string[] | null): void {
  try {
    if (ids === null) localStorage.removeItem(STORAGE);
    else localStorage.setItem(STORAGE, formatCols(ids));
  } catch {
    // not remembered; the URL still holds the choice
  }
}

const PLAIN = /^[A-Za-z0-9_-]+$/;

/**
 * The field the sort language names a column by: each dotted segment that is not a plain name is
 * backticked (a tag `<i>k</i>`), and a metric's last segment `min`/`max` too, which would otherwise
 * mean the aggregate.
 */
export function sortField(col: Column): string {
  const parts = col.key.split('.');
  const quoted = parts.map((part, i) => {
    const aggregate = col.kind === 'metrics' && i === parts.length - 1 && i > 0 && (part === 'min' || part === 'max');
    return PLAIN.test(part) && !aggregate ? part : `\`${part.replace(/`/g, '``')}\``;
  });
  return `${col.kind}.${quoted.join('.')}`;
}

/** What a cell holds: undefined where the run has no such key; a metric logged as NaN reads null. */
export function cellValue(row: Row, col: Column): Json | undefined {
  const map: { [key: string]: Json } = col.kind === 'config' ? row.config : col.kind === 'metrics' ? row.run.metrics : row.run.tags;
  return Object.prototype.hasOwnProperty.call(map, col.key) ? map[col.key] : undefined;
}

export function cellText(value: Json | undefined, col: Column): string {
  if (col.kind === 'metrics') return value === undefined ? '' : value === null ? 'NaN' : formatNumber(value as number);
  return formatValue(value);
}
