/** The run page's metric charts: one per key, with TensorBoard-style smoothing and a step or wall-time x axis. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiFailure, type Series } from '../api';
import { smooth } from '../smoothing';
import { Chart, plotText } from './chart';

type XAxis = 'step' | 'time';

const COLOR = '#0969da';
const CHART_HEIGHT = 240;

/**
 * plotly pads a constant series to ±1 around it, so a learning rate held at 0.01 reads as 0: the
 * range is set around the value instead.
 */
function constantRange(values: (number | null)[]): { range?: [number, number] } {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0 || finite.some((v) => v !== finite[0])) return {};
  const pad = Math.abs(finite[0]) / 2 || 1;
  return { range: [finite[0] - pad, finite[0] + pad] };
}

function figure(series: Series, smoothing: number, x: XAxis, startedAt: number) {
  const xs = x === 'step' ? series.steps : series.times.map((t) => (t - startedAt) / 1000);
  const single = series.steps.length === 1;
  const raw = {
    type: 'scatter',
    mode: single ? 'markers' : 'lines',
    x: xs,
    y: series.values,
    name: plotText(series.key),
    line: { color: COLOR, width: 1.5 },
    marker: { color: COLOR },
    // The raw line stays behind the smoothed one, faint, so outliers are still seen.
    opacity: smoothing > 0 && !single ? 0.25 : 1,
  };
  const data: object[] = [raw];
  if (smoothing > 0 && !single) data.push({ type: 'scatter', mode: 'lines', x: xs, y: smooth(series.values, smoothing), name: plotText(`${series.key} (smoothed)`), line: { color: COLOR, width: 2 } });
  const layout = {
    title: { text: plotText(series.key), font: { size: 12 }, x: 0, xanchor: 'left' },
    showlegend: false,
    margin: { l: 56, r: 12, t: 28, b: 36 },
    xaxis: { title: { text: x === 'step' ? 'step' : 'seconds since start' }, zeroline: false },
    yaxis: { zeroline: false, ...constantRange(series.values) },
    // Plotly keeps the user's zoom across redraws (live updates, smoothing) while this stays the same.
    uirevision: `${series.key}|${x}`,
  };
  return { key: series.key, data, layout, thinned: series.total > series.steps.length ? `${series.steps.length} of ${series.total} points` : '' };
}

export function RunCharts(props: { runId: number; startedAt: number; refresh: number }) {
  const [series, setSeries] = useState<Series[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [smoothing, setSmoothing] = useState(0);
  const [xAxis, setXAxis] = useState<XAxis>('step');
  const [attempt, setAttempt] = useState(0);
  // Charts are drawn one after another, each once the one before it is on screen: plotly draws
  // synchronously, and a run with many keys would otherwise show nothing until all are done.
  const [drawn, setDrawn] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    api.metrics(props.runId, {}, abort.signal).then(
      (answer) => {
        setSeries(answer.series);
        setError(null);
      },
      (e: Error) => abort.signal.aborted || setError(e),
    );
    return () => abort.abort();
  }, [props.runId, props.refresh, attempt]);

  const figures = useMemo(() => (series ?? []).map((s) => figure(s, smoothing, xAxis, props.startedAt)), [series, smoothing, xAxis, props.startedAt]);

  return (
    <section class="run-charts">
      <div class="chart-controls">
        <h2>Metrics</h2>
        <label>
          Smoothing{' '}
          <input type="range" min={0} max={0.99} step={0.01} value={smoothing} data-testid="smoothing" onInput={(e) => setSmoothing(Number(e.currentTarget.value))} />{' '}
          <span class="mono">{smoothing.toFixed(2)}</span>
        </label>
        <label>
          X axis{' '}
          <select value={xAxis} data-testid="x-axis" onChange={(e) => setXAxis(e.currentTarget.value as XAxis)}>
            <option value="step">step</option>
            <option value="time">wall time (relative)</option>
          </select>
        </label>
        <span class="muted">Drag to zoom, double-click to reset.</span>
      </div>
      {error && (
        <p class="error">
          {error instanceof ApiFailure ? error.message : `Could not load the metric histories (${error.message}).`}{' '}
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Retry
          </button>
        </p>
      )}
      {series === null && !error && <p class="muted">Loading metric histories…</p>}
      {series?.length === 0 && <p class="muted">This run logged no metrics.</p>}
      <div class="chart-grid">
        {figures.map((f, i) => (
          <div key={f.key} class="metric-chart" data-metric={f.key}>
            {i <= drawn ? <Chart data={f.data} layout={f.layout} height={CHART_HEIGHT} testid="metric-chart" onDrawn={() => setDrawn((n) => Math.max(n, i + 1))} /> : <div class="chart-placeholder" />}
            {f.thinned && <div class="muted thinned">{f.thinned}</div>}
          </div>
        ))}
      </div>
    </section>
  );
}
