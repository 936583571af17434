/**
 * Overlaid curves: one chart per metric key, one SVG line per run in its colour, by step or by
 * time since the run started, smoothed as TensorBoard does. Kept cheap for 100 runs: plotly's
 * legend is off (the run list is the legend) and hovering names only the run, x and its value.
 */
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Compare, CompareSeries, RunItem } from '../api';
import { smooth } from '../smoothing';
import { Chart, plotText } from './chart';
import { CurvePreview } from './compare-preview';
import { runColors, runTitle } from './compare-view';

// A benchmark reads this mark: the first time every curve of the page is on screen (as a preview or drawn by plotly).
let painted = false;

function markPainted(): void {
  if (painted) return;
  painted = true;
  performance.mark('labbook:compare-painted');
}

/** A hover label as wide as a 200-character run name would cover the chart: cut before escaping, so no entity is cut. */
const clip = (text: string) => (text.length > 60 ? `${text.slice(0, 59)}…` : text);

/** The x axis's title, on plotly's chart and on its preview alike. */
const X_TITLE = { step: 'step', time: 'seconds since the run started' } as const;

/** Faint raw lines under the smoothed ones help with a few runs and only clutter with many. */
const RAW_UNDER_SMOOTHED = 10;

interface Props {
  data: Compare;
  keys: string[];
  x: 'step' | 'time';
  smooth: number;
  /** Every chart is on screen as a preview: the page draws what lies below the curves then. */
  onPreviewed?: () => void;
  /** Every chart has drawn: the page draws its other charts only then, so the curves come first. */
  onPainted?: () => void;
}

function traces(runs: RunItem[], byRun: Map<number, Map<string, CompareSeries>>, key: string, x: Props['x'], weight: number): unknown[] {
  const out: unknown[] = [];
  const colors = runColors(runs);
  // The run first, then where: the name comes from the trace (already escaped), never spliced into the template.
  const hover = `%{fullData.name}<br>${x === 'step' ? 'step %{x}' : '%{x:.3~f} s'}: %{y}<extra></extra>`;
  for (const run of runs) {
    const series = byRun.get(run.id)?.get(key);
    if (!series) continue;
    // The page asks for 'time' only once the times have arrived.
    const xs = x === 'step' ? series.steps : (series.times ?? []).map((t) => (t - run.startedAt) / 1000);
    const name = plotText(clip(runTitle(run)));
    const color = colors.get(run.id);
    // A line needs two points: a metric logged once shows as a dot.
    const mode = series.steps.length > 1 ? 'lines' : 'markers';
    if (weight > 0 && runs.length <= RAW_UNDER_SMOOTHED) {
      out.push({ type: 'scatter', mode, x: xs, y: series.values, line: { color, width: 1 }, marker: { color }, opacity: 0.25, hoverinfo: 'skip' });
    }
    const y = weight > 0 ? smooth(series.values, weight) : series.values;
    out.push({ type: 'scatter', mode, x: xs, y, name, line: { color, width: 1.5 }, marker: { color }, hovertemplate: hover });
  }
  return out;
}

function layout(key: string, x: Props['x']): object {
  return {
    title: { text: plotText(key), font: { size: 12 } },
    showlegend: false,
    margin: { l: 50, r: 12, t: 30, b: 36 },
    xaxis: { title: { text: X_TITLE[x] } },
    // Zoom survives a smoothing change, not a switch of the x axis.
    uirevision: x,
  };
}

export function CompareCurves(props: Props) {
  const { data, keys, x } = props;
  const byRun = useMemo(() => new Map(Object.entries(data.series).map(([id, list]) => [Number(id), new Map(list.map((s) => [s.key, s]))])), [data]);
  // Charts drawn stay as they are when a key is toggled or the URL changes elsewhere: plotly redraws only what changed identity.
  const cache = useMemo(() => new Map<string, { data: unknown[]; layout: object }>(), [data, x, props.smooth]);
  const charts = keys.map((key) => {
    let chart = cache.get(key);
    if (!chart) cache.set(key, (chart = { data: traces(data.runs, byRun, key, x, props.smooth), layout: layout(key, x) }));
    return { key, ...chart };
  });
  const drawn = useRef(new Set<string>());
  const [, redraw] = useState(0);
  const onDrawn = (key: string) => {
    drawn.current.add(key);
    redraw((n) => n + 1);
    if (!keys.every((k) => drawn.current.has(k))) return;
    props.onPainted?.();
  };
  // The previews are drawn once this layout effect runs (theirs run first); the next frame shows them.
  // A task queued from that frame's animation callback runs after its paint: the mark goes there, and
  // plotly loads and draws only then, since its 4.8 MB script would otherwise hold the main thread first.
  const [live, setLive] = useState(false);
  useLayoutEffect(() => {
    requestAnimationFrame(() =>
      setTimeout(() => {
        markPainted();
        props.onPreviewed?.();
        setTimeout(() => setLive(true), 0);
      }, 0),
    );
  }, [charts.length]);
  if (charts.length === 0) return <p class="muted">These runs logged no metrics.</p>;
  return (
    <div class="curves" data-testid="compare-curves">
      {charts.map((chart) => (
        <div key={chart.key} class="curve" data-metric={chart.key}>
          {live && <Chart data={chart.data} layout={chart.layout} height={260} testid="compare-curve" onDrawn={() => onDrawn(chart.key)} />}
          {!drawn.current.has(chart.key) && <CurvePreview title={chart.key} data={chart.data} xTitle={X_TITLE[x]} />}
        </div>
      ))}
    </div>
  );
}

/** x axis, smoothing and which metrics to draw; each change rewrites the URL (the smoothing once the slider is let go). */
export function CurveControls(props: { metrics: string[]; keys: string[]; x: Props['x']; smooth: number; set: (changes: Record<string, string | null>) => void }) {
  const { metrics, keys, set } = props;
  // Redrawing 100 runs' curves on every slider tick would lag: only the number follows the thumb.
  const [sliding, setSliding] = useState<string | null>(null);
  const toggle = (key: string) => {
    const next = keys.includes(key) ? keys.filter((k) => k !== key) : metrics.filter((k) => k === key || keys.includes(k));
    // The last chart stays: no keys in the URL means every key.
    if (next.length > 0) set({ keys: next.length === metrics.length ? null : next.join(',') });
  };
  return (
    <div class="controls">
      <label>
        x{' '}
        <select value={props.x} data-testid="curve-x" onChange={(e) => set({ x: (e.currentTarget as HTMLSelectElement).value === 'time' ? 'time' : null })}>
          <option value="step">step</option>
          <option value="time">time since start</option>
        </select>
      </label>
      <label>
        smoothing{' '}
        <input
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          value={props.smooth}
          onInput={(e) => setSliding((e.currentTarget as HTMLInputElement).value)}
          onChange={(e) => {
            const value = (e.currentTarget as HTMLInputElement).value;
            setSliding(null);
            set({ smooth: Number(value) > 0 ? value : null });
          }}
        />
        <output>{sliding ?? props.smooth}</output>
      </label>
      <span class="keys">
        {metrics.map((key) => (
          <button key={key} type="button" class={keys.includes(key) ? 'chip on' : 'chip'} aria-pressed={keys.includes(key)} onClick={() => toggle(key)}>
            {key}
          </button>
        ))}
      </span>
    </div>
  );
}
