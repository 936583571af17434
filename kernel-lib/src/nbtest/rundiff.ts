/** A run diff between two runs that live in different registries (diffRuns compares within one). */
import type { RunDiff } from '../query';
import { canonicalJson } from '../repro/hash';
import type { Json, RunRecord } from '../registry/types';

/** The same shape as diffRuns's result, keeping only entries that differ; `runs` are each run's own id. */
export function diffRecords(a: RunRecord, b: RunRecord): RunDiff {
  const checkpoints = [finalCheckpoint(a), finalCheckpoint(b)];
  const datasets: RunDiff['datasets'] = {};
  for (const [name, pair] of Object.entries(pairUp(byName(a), byName(b)))) {
    if (canonicalJson(pair[0]) !== canonicalJson(pair[1])) datasets[name] = pair;
  }
  const metrics: RunDiff['metrics'] = {};
  for (const [key, [x, y]] of Object.entries(pairUp(latest(a), latest(b)))) {
    metrics[key] = { values: [x, y], deltas: [x === null ? null : 0, x === null || y === null ? null : y - x] };
  }
  return {
    runs: [a.id, b.id],
    config: differing(pairUp(a.params, b.params)),
    env: differing(pairUp(flatten(a.env), flatten(b.env))),
    datasets,
    seed: [a.seed, b.seed],
    codeHash: [a.codeHash, b.codeHash],
    metrics,
    checkpointEqual: checkpoints[0] !== null && checkpoints[0] === checkpoints[1],
    checkpoints,
  };
}

export function finalCheckpoint(record: RunRecord): string | null {
  let best: { step: number; sha256: string } | null = null;
  for (const c of record.checkpoints) if (best === null || c.step > best.step) best = c;
  return best?.sha256 ?? null;
}

/** Readable lines for a diff: what differs in config, data, code, environment, metrics, checkpoint. */
export function renderRecordDiff(d: RunDiff, labels: [string, string]): string[] {
  const lines: string[] = [];
  const row = (name: string, x: unknown, y: unknown) => lines.push(`  ${name}: ${show(x)}  vs  ${show(y)}`);
  if (d.seed[0] !== d.seed[1]) row('seed', d.seed[0], d.seed[1]);
  for (const [k, [x, y]] of Object.entries(d.config)) row(`config.${k}`, x, y);
  for (const [k, [x, y]] of Object.entries(d.datasets)) row(`data.${k}`, x?.sha256.slice(0, 12) ?? null, y?.sha256.slice(0, 12) ?? null);
  if (d.codeHash[0] !== d.codeHash[1]) row('code hash', d.codeHash[0]?.slice(0, 12) ?? null, d.codeHash[1]?.slice(0, 12) ?? null);
  // The environment always differs in git state, pids and paths; only what shapes numbers is shown.
  for (const [k, [x, y]] of Object.entries(d.env)) if (/^(backend\.|tfjs$|labbook$|node$|lockfileSha256$)/.test(k)) row(`env.${k}`, x, y);
  for (const [k, m] of Object.entries(d.metrics)) {
    if (m.values[0] === m.values[1]) continue;
    const delta = m.deltas[1];
    row(`metrics.${k}`, m.values[0], `${show(m.values[1])}${delta === null ? '' : ` (${delta >= 0 ? '+' : ''}${delta})`}`);
  }
  row('final checkpoint', d.checkpoints[0], d.checkpoints[1]);
  return [`  (${labels[0]} vs ${labels[1]})`, ...lines];
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? 'null';
}

function byName(r: RunRecord): { [name: string]: { sha256: string; rows: number; columns: number } } {
  return Object.fromEntries(r.datasets.map((d) => [d.name, { sha256: d.sha256, rows: d.rows, columns: d.columns }]));
}

function latest(r: RunRecord): { [key: string]: number | null } {
  return Object.fromEntries(Object.entries(r.metrics).map(([k, m]) => [k, m.value]));
}

function pairUp<T>(x: { [key: string]: T }, y: { [key: string]: T }): { [key: string]: [T | null, T | null] } {
  const out: { [key: string]: [T | null, T | null] } = {};
  for (const key of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
    out[key] = [key in x ? x[key] : null, key in y ? y[key] : null];
  }
  return out;
}

function differing<T>(table: { [key: string]: [T | null, T | null] }): { [key: string]: (T | null)[] } {
  return Object.fromEntries(Object.entries(table).filter(([, [x, y]]) => canonicalJson(x) !== canonicalJson(y)));
}

function flatten(value: { [key: string]: Json }, prefix = '', out: { [key: string]: Json } = {}): { [key: string]: Json } {
  for (const [key, item] of Object.entries(value)) {
    if (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0) flatten(item, `${prefix}${key}.`, out);
    else out[`${prefix}${key}`] = item;
  }
  return out;
}
