/**
 * A chart's curves as plain SVG, drawn the moment the data arrives, while plotly (4.8 MB, and ~1 s
 * for 100 traces) loads and draws the interactive chart over it. 100 runs x 5 metrics paint in a
 * few milliseconds this way; zoom and hover arrive with plotly.
 */
import { formatNumber } from '../format';

interface Trace {
  x: number[];
  y: (number | null)[];
  line?: { color?: string };
  opacity?: number;
}

const W = 600;
const H = 260;
const PAD = { l: 50, r: 12, t: 30, b: 36 };

function extent(values: Iterable<number | null>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/** One path per trace; a null (NaN logged) breaks the line, as plotly draws it. */
function pathOf(trace: Trace, sx: (v: number) => number, sy: (v: number) => number): string {
  let d = '';
  let pen = false;
  for (let i = 0; i < trace.x.length; i++) {
    const y = trace.y[i];
    if (y === null || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${sx(trace.x[i]).toFixed(1)} ${sy(y).toFixed(1)}`;
    pen = true;
  }
  return d;
}

export function CurvePreview(props: { title: string; data: unknown[]; xTitle: string }) {
  const traces = props.data as Trace[];
  const [x0, x1] = extent(traces.flatMap((t) => [t.x[0] ?? null, t.x[t.x.length - 1] ?? null]));
  const [y0, y1] = extent(traces.flatMap((t) => t.y));
  const sx = (v: number) => PAD.l + ((v - x0) / (x1 - x0)) * (W - PAD.l - PAD.r);
  const sy = (v: number) => H - PAD.b - ((v - y0) / (y1 - y0)) * (H - PAD.t - PAD.b);
  return (
    <svg class="curve-preview" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={props.title}>
      <text x={W / 2} y={18} text-anchor="middle" class="title">{props.title}</text>
      <line x1={PAD.l} y1={H - PAD.b} x2={W - PAD.r} y2={H - PAD.b} class="axis" />
      <line x1={PAD.l} y1={PAD.t} x2={PAD.l} y2={H - PAD.b} class="axis" />
      <text x={PAD.l - 4} y={PAD.t + 4} text-anchor="end">{formatNumber(y1)}</text>
      <text x={PAD.l - 4} y={H - PAD.b} text-anchor="end">{formatNumber(y0)}</text>
      <text x={PAD.l} y={H - PAD.b + 14} text-anchor="middle">{formatNumber(x0)}</text>
      <text x={W - PAD.r} y={H - PAD.b + 14} text-anchor="end">{formatNumber(x1)}</text>
      <text x={W / 2} y={H - 6} text-anchor="middle">{props.xTitle}</text>
      {traces.map((t, i) => (
        <path key={i} d={pathOf(t, sx, sy)} fill="none" stroke={t.line?.color ?? '#888'} stroke-opacity={t.opacity ?? 1} stroke-width={1.5} vector-effect="non-scaling-stroke" />
      ))}
    </svg>
  );
}
