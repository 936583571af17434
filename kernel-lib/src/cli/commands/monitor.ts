/** `labbook monitor NAME[@ALIAS|/VERSION]`: drift, predictions, latency and errors of a served model's sampled traffic, with alerts (exit 3 on one with --fail-on-alert). */
import { LabbookError } from '../../errors';
import type { MonitorReport } from '../../monitor/report';
import { parse } from '../args';
import { type Command, isoTime, print, printJson, withRegistry } from '../command';
import { table } from '../format';
import { localOnly } from '../team-store';

const usage =
  'labbook monitor NAME[@ALIAS|/VERSION] [--since 1h|ISO] [--until ISO] [--window 5m] [--max-p99-ms 100] [--max-error-rate 0.01] [--min-samples 30] [--drift-share 0.5] [--fail-on-alert] [--json] [--db PATH]';

/** Exit code with --fail-on-alert when the report has an alert (2 stays a user's mistake). */
export const ALERT_EXIT = 3;

export const monitor: Command = {
  name: 'monitor',
  summary: "a served model's drift, predictions, latency and errors from its sampled requests, with alerts (exit 3 on one with --fail-on-alert)",
  usage,
  help: [
    'NAME alone: the version whose requests were sampled last. --since: a duration back from now (30s, 15m, 1h, 7d) or an ISO time (default 24h).',
    'Drift per feature against the version\'s reference profile with Evidently\'s defaults (KS / chi-squared up to 1000 reference rows, Wasserstein / Jensen-Shannon above; 0.05 p-value or 0.1 distance), PSI beside; the dataset drifts when ≥ --drift-share of its features do.',
    'Alerts: dataset_drift, feature_drift, prediction_drift, latency_p99 (> --max-p99-ms), error_rate (5xx share > --max-error-rate). Fewer than --min-samples examples: drift is not measured, and said so.',
  ].join('\n'),
  run(argv) {
    const spec = {
      since: { type: 'string' },
      until: { type: 'string' },
      window: { type: 'string' },
      'max-p99-ms': { type: 'string' },
      'max-error-rate': { type: 'string' },
      'min-samples': { type: 'string' },
      'drift-share': { type: 'string' },
      'fail-on-alert': { type: 'boolean', default: false },
    } as const;
    const { values, positionals } = parse(argv, spec, usage, { name: 'model', min: 1, max: 1 });
    localOnly('monitor', values.db, 'Monitoring samples live in the local registry the server wrote to: --db .labbook/labbook.db (or LABBOOK_LOCAL_DB).');
    const now = Date.now();
    const since = values.since === undefined ? undefined : when('--since', values.since, now);
    const until = values.until === undefined ? undefined : when('--until', values.until, now);
    const window = values.window === undefined ? undefined : duration('--window', values.window);
    const limits = {
      maxP99Ms: num('--max-p99-ms', values['max-p99-ms']),
      maxErrorRate: num('--max-error-rate', values['max-error-rate']),
      minSamples: num('--min-samples', values['min-samples']),
      driftShare: num('--drift-share', values['drift-share']),
    };
    const { report } = require('../../monitor/report') as typeof import('../../monitor/report');
    return withRegistry(values.db, (registry) => {
      const result = report(positionals[0], { since, until, window, registry, ...limits });
      if (values.json) printJson({ ...result, since: isoTime(result.since), until: isoTime(result.until), windows: result.windows.map((w) => ({ ...w, start: isoTime(w.start) })) });
      else print(text(result));
      return values['fail-on-alert'] && result.alerts.length > 0 ? ALERT_EXIT : 0;
    });
  },
};

function text(r: MonitorReport): string {
  const n = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(3)) : '-');
  const lines = [`${r.model}/${r.version} (run ${r.runId}): ${r.requests} sampled requests, ${r.examples} examples, ${isoTime(r.since)} .. ${isoTime(r.until)}`];
  lines.push(`latency ms p50 ${n(r.latency.p50)} p95 ${n(r.latency.p95)} p99 ${n(r.latency.p99)}; errors ${n(r.errorRate)} (5xx), ${n(r.clientErrorRate)} (4xx)`);
  if (r.drift) {
    lines.push('', `drift: ${r.drift.driftedFeatures} of ${Object.keys(r.drift.features).length} features (share ${n(r.drift.share)}; dataset drift at ≥ ${r.drift.driftShare}: ${r.drift.drifted ? 'YES' : 'no'})`);
    const rows = Object.entries(r.drift.features).map(([name, f]) => [name, f.method, n(f.statistic), f.pValue === null ? '-' : n(f.pValue), f.threshold, n(r.drift!.psi[name]), f.drifted ? 'DRIFT' : 'ok']);
    lines.push(table(['feature', 'method', 'statistic', 'p-value', 'threshold', 'psi', 'drift'], rows));
  }
  if (r.prediction) {
    const keys = [...new Set([...Object.keys(r.prediction.reference), ...Object.keys(r.prediction.current)])];
    lines.push('', `predictions (${r.prediction.drift.method}${r.prediction.drift.pValue === null ? ` ${n(r.prediction.drift.statistic)}` : ` p ${n(r.prediction.drift.pValue)}`}: ${r.prediction.drift.drifted ? 'DRIFT' : 'ok'})`);
    lines.push(table(['', 'reference', 'now'], keys.map((k) => [k, n(r.prediction!.reference[k] ?? 0), n(r.prediction!.current[k] ?? 0)])));
  }
  for (const note of r.notes) lines.push('', `note: ${note}`);
  lines.push('', r.alerts.length ? `ALERTS (${r.alerts.length}):` : 'no alerts');
  for (const a of r.alerts) lines.push(`  ${a.code}: ${a.message}`);
  return lines.join('\n');
}

/** A duration back from now (30s, 15m, 1h, 7d) or an ISO time. */
function when(flag: string, value: string, now: number): number {
  if (/^\d+(\.\d+)?(s|m|h|d)$/.test(value)) return now - duration(flag, value);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`${flag}\`: expected a duration back from now (30s, 15m, 1h, 7d) or an ISO time (2026-12-01T10:00Z), received ${JSON.stringify(value)}. Usage: ${usage}`);
  return ms;
}

function duration(flag: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(value);
  if (!m || Number(m[1]) <= 0) throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`${flag}\`: expected a duration such as 30s, 15m, 1h or 7d, received ${JSON.stringify(value)}. Usage: ${usage}`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

function num(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < 0) throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`${flag}\`: expected a number ≥ 0, received ${JSON.stringify(value)}. Usage: ${usage}`);
  return x;
}
