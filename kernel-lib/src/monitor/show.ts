/** A monitoring report as one plotly figure (drift per feature, latency over time, predictions now vs reference), shown through display's show(). */
import { show, type ShowOptions } from '../display/show';
import { axis, baseLayout, PALETTE, type Figure } from '../plots/figure';
import type { MonitorReport } from './report';

const RED = '#d62728';

/** Three panels side by side; a panel with nothing to show says why in its title. */
export function monitorFigure(report: MonitorReport): Figure {
  const data: object[] = [];
  const features = report.drift ? Object.entries(report.drift.features) : [];
  data.push({
    type: 'bar',
    name: 'drift',
    x: features.map(([name]) => name),
    // A p-value drifts when small, a distance when large: both shown as how far past the threshold (1 = at it).
    y: features.map(([, f]) => (f.pValue === null ? f.statistic / f.threshold : f.threshold / Math.max(f.pValue, 1e-12))),
    text: features.map(([, f]) => (f.pValue === null ? `${f.method} ${f.statistic.toPrecision(3)}` : `${f.method} p=${f.pValue.toPrecision(3)}`)),
    marker: { color: features.map(([, f]) => (f.drifted ? RED : PALETTE[0])) },
    xaxis: 'x',
    yaxis: 'y',
    showlegend: false,
  });
  const times = report.windows.map((w) => new Date(w.start).toISOString());
  for (const [i, q] of (['p50', 'p95', 'p99'] as const).entries()) {
    data.push({ type: 'scatter', mode: 'lines+markers', name: `latency ${q}`, x: times, y: report.windows.map((w) => w[q]), line: { color: PALETTE[i + 1] }, xaxis: 'x2', yaxis: 'y2' });
  }
  const ref = report.prediction?.reference ?? {};
  const cur = report.prediction?.current ?? {};
  const keys = [...new Set([...Object.keys(ref), ...Object.keys(cur)])];
  data.push({ type: 'bar', name: 'reference', x: keys, y: keys.map((k) => ref[k] ?? 0), marker: { color: PALETTE[4] }, xaxis: 'x3', yaxis: 'y3' });
  data.push({ type: 'bar', name: 'served', x: keys, y: keys.map((k) => cur[k] ?? 0), marker: { color: PALETTE[5] }, xaxis: 'x3', yaxis: 'y3' });
  const driftTitle = report.drift ? `drift per feature (share ${report.drift.share.toFixed(2)}${report.drift.drifted ? ', DRIFT' : ''})` : 'drift: not measured';
  const layout = baseLayout(`${report.model}/${report.version}: ${report.alerts.length} alert(s)`, {
    barmode: 'group',
    xaxis: { domain: [0, 0.3], anchor: 'y' },
    yaxis: axis('× threshold (>1: drift)', { anchor: 'x' }),
    xaxis2: { domain: [0.36, 0.66], anchor: 'y2' },
    yaxis2: axis('latency ms', { anchor: 'x2' }),
    xaxis3: { domain: [0.72, 1], anchor: 'y3' },
    yaxis3: axis('share / value', { anchor: 'x3' }),
    annotations: [
      { text: driftTitle, x: 0.15, y: 1.08, xref: 'paper', yref: 'paper', showarrow: false },
      { text: 'latency over time', x: 0.51, y: 1.08, xref: 'paper', yref: 'paper', showarrow: false },
      { text: 'predictions: reference vs served', x: 0.86, y: 1.08, xref: 'paper', yref: 'paper', showarrow: false },
    ],
  });
  return { data, layout };
}

/** In a notebook cell: the figure, with the alerts and notes as its page title; elsewhere an HTML file (see show()). */
export function showReport(report: MonitorReport, options: ShowOptions = {}): string | undefined {
  return show(monitorFigure(report), { title: `${report.model}/${report.version} monitoring`, ...options });
}
