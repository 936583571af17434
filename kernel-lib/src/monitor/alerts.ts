/** Alerts: the conditions a monitoring report flags, each with a stable code for scripts, and the limits that trigger them. */
import type { MonitorReport } from './report';

export interface AlertLimits {
  /** Share of drifting features at or above which the dataset drifts (Evidently's DatasetDriftMetric: 0.5). */
  driftShare: number;
  /** p99 latency in ms above which latency alerts (default 100). */
  maxP99Ms: number;
  /** Share of requests answered 5xx above which errors alert (default 0.01). */
  maxErrorRate: number;
  /** Examples needed before drift is measured at all (default 30): fewer say so instead of alerting. */
  minSamples: number;
}

export const DEFAULT_LIMITS: Readonly<AlertLimits> = { driftShare: 0.5, maxP99Ms: 100, maxErrorRate: 0.01, minSamples: 30 };

export type AlertCode = 'dataset_drift' | 'feature_drift' | 'prediction_drift' | 'latency_p99' | 'error_rate';

export interface Alert {
  code: AlertCode;
  message: string;
}

const digits = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(3)) : x);

export function alertsOf(report: MonitorReport): Alert[] {
  const alerts: Alert[] = [];
  const drift = report.drift;
  if (drift) {
    const drifting = Object.entries(drift.features).filter(([, f]) => f.drifted);
    if (drift.drifted) {
      alerts.push({ code: 'dataset_drift', message: `dataset drift: ${drift.driftedFeatures} of ${Object.keys(drift.features).length} features drift (share ${digits(drift.share)} ≥ ${drift.driftShare})` });
    }
    for (const [name, f] of drifting) {
      const measure = f.pValue === null ? `${f.method} distance ${digits(f.statistic)} ≥ ${f.threshold}` : `${f.method} p-value ${digits(f.pValue)} < ${f.threshold}`;
      alerts.push({ code: 'feature_drift', message: `feature ${name} drifts (${measure})` });
    }
  }
  const p = report.prediction?.drift;
  if (p?.drifted) {
    alerts.push({ code: 'prediction_drift', message: `predictions drift (${p.pValue === null ? `${p.method} distance ${digits(p.statistic)}` : `${p.method} p-value ${digits(p.pValue)}`})` });
  }
  if (report.requests > 0 && report.latency.p99 > report.limits.maxP99Ms) {
    alerts.push({ code: 'latency_p99', message: `p99 latency ${digits(report.latency.p99)} ms > ${report.limits.maxP99Ms} ms` });
  }
  if (report.requests > 0 && report.errorRate > report.limits.maxErrorRate) {
    alerts.push({ code: 'error_rate', message: `error rate ${digits(report.errorRate)} > ${report.limits.maxErrorRate} (5xx answers)` });
  }
  return alerts;
}
