/** monitor.report(): a served version's sampled traffic against its reference profile — drift per feature, prediction drift, latency and errors over time, and alerts. */
import { invalidArgument, LabbookError } from '../errors';
import { parseModelRef } from '../model-registry/names';
import { resolveModel } from '../model-registry/versions';
import type { ModelVersionDetail } from '../model-registry/types';
import { openRegistry, type Registry } from '../registry/registry';
import { datasetDrift, featureDrift, type DatasetDrift, type DriftValue, type FeatureDrift } from './drift';
import { alertsOf, DEFAULT_LIMITS, type Alert, type AlertLimits } from './alerts';
import { featureColumns, predictionColumn } from './features';
import { quantile } from './profile';
import { findProfile, noProfileHint } from './reference';
import type { Prediction } from '../model-package';
import { checkModelPackage, MODEL_ARTIFACT, type ModelPackage } from '../model-package/spec';
import { readJsonArtifact } from '../registry/artifacts';

export interface ReportOptions extends Partial<AlertLimits> {
  /** Samples from this time on (ms since the epoch, or a Date); default: the last 24 hours. */
  since?: number | Date;
  until?: number | Date;
  /** Width of each latency/error window in ms; default: the span cut into 10. */
  window?: number;
  db?: string;
  registry?: Registry;
}

export interface LatencyWindow {
  start: number;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  errorRate: number;
}

export interface MonitorReport {
  model: string;
  version: number;
  runId: number;
  since: number;
  until: number;
  /** Requests sampled in the span, answered ones, and the examples they carried. */
  requests: number;
  examples: number;
  /** Of the reference profile (null: the version has none). */
  profile: { sha256: string; source: 'run' | 'version'; rows: number; sampled: number } | null;
  /** Per feature (with PSI beside Evidently's default test) and the dataset verdict; null when not measured (see notes). */
  drift: (DatasetDrift & { psi: Record<string, number> }) | null;
  prediction: { drift: FeatureDrift; reference: Record<string, number>; current: Record<string, number> } | null;
  latency: { p50: number; p95: number; p99: number };
  /** Share of requests answered 5xx, and 4xx (a client's mistakes). */
  errorRate: number;
  clientErrorRate: number;
  windows: LatencyWindow[];
  limits: AlertLimits;
  alerts: Alert[];
  /** Why a part was not measured: no profile, too few samples. */
  notes: string[];
}

interface Row {
  at: number;
  latency_ms: number;
  input: string | null;
  prediction: string | null;
  status: number;
}

const HOUR_MS = 3_600_000;

/** The report for 'name' (the version that served last), 'name@alias' or 'name/version'. */
export function report(target: string, options: ReportOptions = {}): MonitorReport {
  if (typeof target !== 'string' || target === '') throw invalidArgument('model', "a registered model ('NAME', 'NAME/VERSION' or 'NAME@ALIAS')", target);
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an options object', options);
  const limits = checkLimits(options);
  const until = time(options.until, 'until') ?? Date.now();
  const since = time(options.since, 'since') ?? until - 24 * HOUR_MS;
  if (!(since < until)) throw invalidArgument('since', `a time before \`until\` (${new Date(until).toISOString()})`, new Date(since).toISOString());
  const registry = options.registry ?? openRegistry({ db: options.db, create: false });
  try {
    const version = resolveServed(registry, target);
    const rows = registry.db
      .prepare('SELECT at, latency_ms, input, prediction, status FROM monitor_samples WHERE model = ? AND version = ? AND at >= ? AND at < ? ORDER BY at')
      .all(version.name, version.version, since, until) as Row[];
    return build(registry, version, rows, since, until, limits, options.window);
  } finally {
    if (!options.registry) registry.close();
  }
}

function build(registry: Registry, version: ModelVersionDetail, rows: Row[], since: number, until: number, limits: AlertLimits, window: number | undefined): MonitorReport {
  const notes: string[] = [];
  const ok = rows.filter((r) => r.status < 400 && r.input !== null);
  const examples = ok.map((r) => JSON.parse(r.input!) as unknown[]).flat();
  const predictions = ok.map((r) => (r.prediction ? (JSON.parse(r.prediction) as Prediction[]) : [])).flat();
  const stored = findProfile(registry, version);
  let drift: MonitorReport['drift'] = null;
  let prediction: MonitorReport['prediction'] = null;
  if (rows.length === 0) notes.push(`No sampled requests for ${version.name}/${version.version} in ${new Date(since).toISOString()} .. ${new Date(until).toISOString()}: is \`labbook serve\` running with monitoring on (not --no-monitor) against this registry?`);
  if (!stored) notes.push(noProfileHint(version));
  // No traffic at all is said above, not as "too few samples".
  else if (rows.length > 0 && examples.length < limits.minSamples) {
    notes.push(`Too few samples to measure drift: expected at least ${limits.minSamples} examples (minSamples), received ${examples.length} in ${new Date(since).toISOString()} .. ${new Date(until).toISOString()}. Widen --since, or wait for more traffic; no drift alert is raised meanwhile.`);
  } else if (rows.length > 0) {
    const pkg = packageOf(registry, version);
    const current = featureColumns(pkg.input, examples);
    const ref = stored.profile.features;
    const dataset = datasetDrift(ref, current, { driftShare: limits.driftShare });
    const psi: Record<string, number> = {};
    for (const name of Object.keys(dataset.features)) psi[name] = safePsi(ref[name], current[name]);
    drift = { ...dataset, psi };
    const now = predictionColumn(predictions);
    prediction = { drift: featureDrift(stored.profile.prediction, now), reference: distribution(stored.profile.prediction), current: distribution(now) };
  }
  const latencies = rows.map((r) => r.latency_ms).sort((a, b) => a - b);
  const result: MonitorReport = {
    model: version.name,
    version: version.version,
    runId: version.runId,
    since,
    until,
    requests: rows.length,
    examples: examples.length,
    profile: stored ? { sha256: stored.sha256, source: stored.source, rows: stored.profile.rows, sampled: stored.profile.sampled } : null,
    drift,
    prediction,
    latency: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), p99: quantile(latencies, 0.99) },
    errorRate: share(rows, (r) => r.status >= 500),
    clientErrorRate: share(rows, (r) => r.status >= 400 && r.status < 500),
    windows: windows(rows, since, until, window),
    limits,
    alerts: [],
    notes,
  };
  result.alerts = alertsOf(result);
  return result;
}

/** NAME alone: the version whose traffic was sampled last (a server may serve NAME@champion, not the latest); else its latest. */
function resolveServed(registry: Registry, target: string): ModelVersionDetail {
  const ref = parseModelRef(target);
  if (ref.alias !== undefined || ref.version !== undefined) return resolveModel(registry, target);
  const last = registry.db.prepare('SELECT version FROM monitor_samples WHERE model = ? ORDER BY at DESC LIMIT 1').get(ref.name) as { version: number } | undefined;
  if (last) {
    try {
      return resolveModel(registry, `${ref.name}/${last.version}`);
    } catch {
      // That version was deleted since: fall back to the latest.
    }
  }
  return resolveModel(registry, target);
}

function packageOf(registry: Registry, version: ModelVersionDetail): ModelPackage {
  return checkModelPackage(readJsonArtifact(registry.getArtifact(version.runId, MODEL_ARTIFACT)), version.runId);
}

function safePsi(reference: readonly DriftValue[], current: readonly DriftValue[]): number {
  try {
    return featureDrift(reference, current, { method: 'psi' }).statistic;
  } catch {
    return NaN;
  }
}

/** Class shares for labels; quantiles (p5, p50, p95) for values. */
function distribution(values: readonly DriftValue[]): Record<string, number> {
  const strings = values.filter((v): v is string => typeof v === 'string');
  if (strings.length > 0) {
    const out: Record<string, number> = {};
    for (const s of strings) out[s] = (out[s] ?? 0) + 1 / strings.length;
    return out;
  }
  const sorted = values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  return { p5: quantile(sorted, 0.05), p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
}

function share(rows: Row[], test: (r: Row) => boolean): number {
  return rows.length === 0 ? 0 : rows.filter(test).length / rows.length;
}

function windows(rows: Row[], since: number, until: number, width: number | undefined): LatencyWindow[] {
  if (width !== undefined && !(typeof width === 'number' && width > 0)) throw invalidArgument('window', 'a window width in ms > 0', width);
  if (rows.length === 0) return [];
  // The span actually covered, so a 24-hour default does not squeeze a minute of traffic into one bar.
  const start = width === undefined ? rows[0].at : since;
  const step = width ?? Math.max(1, Math.ceil((rows[rows.length - 1].at + 1 - start) / 10));
  const out: LatencyWindow[] = [];
  for (let at = start; at < Math.min(until, rows[rows.length - 1].at + 1); at += step) {
    const inside = rows.filter((r) => r.at >= at && r.at < at + step);
    if (inside.length === 0) continue;
    const sorted = inside.map((r) => r.latency_ms).sort((a, b) => a - b);
    out.push({ start: at, requests: inside.length, p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), p99: quantile(sorted, 0.99), errorRate: share(inside, (r) => r.status >= 500) });
  }
  return out;
}

function time(value: number | Date | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw invalidArgument(name, 'a time (ms since the epoch, or a Date)', value);
  return ms;
}

function checkLimits(options: Partial<AlertLimits>): AlertLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof AlertLimits)[]) {
    const v = options[key];
    if (v === undefined) continue;
    const okay = typeof v === 'number' && Number.isFinite(v) && v >= 0 && (key === 'maxP99Ms' || key === 'minSamples' || v <= 1);
    if (!okay) throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`${key}\`: expected ${key === 'maxP99Ms' ? 'milliseconds ≥ 0' : key === 'minSamples' ? 'a count ≥ 0' : 'a share from 0 to 1'}, received ${JSON.stringify(v)}. Leave it out for the default (${DEFAULT_LIMITS[key]}).`);
    limits[key] = v;
  }
  return limits;
}
