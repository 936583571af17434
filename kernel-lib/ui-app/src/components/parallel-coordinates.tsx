/**
 * Parallel coordinates drawn as plain SVG by Preact: one vertical axis per parameter plus the metric,
 * one polyline per run coloured by the metric. Not plotly's parcoords: that needs WebGL, which a
 * browser without a GPU (or with WebGL blocked) may not give; and JSX text is always escaped.
 */
import type { Json } from '../api';
import { navigate } from '../router';
import { axisOf, type AxisHint } from './parallel-axes';

export interface ParallelProps {
  /** One axis each; values[i] belongs to lines[i] (null or undefined: the run has none). */
  dims: { label: string; values: readonly (Json | undefined)[]; hint?: AxisHint }[];
  lines: { label: string; href: string }[];
  color: { label: string; values: readonly (number | null)[]; higherIsBetter: boolean };
  testid: string;
}

const TOP = 36;
const PLOT = 240;
const LEFT = 80;
const RIGHT = 100;
/** Lines without a value on an axis cross it here, below the axis, rather than vanish. */
const MISSING = TOP + PLOT + 20;
const HEIGHT = MISSING + 14;
const NO_VALUE = '#c0c4c9';
/** Worst to best: light blue to red, so the best runs stand out (they are drawn last, on top). */
const STOPS = [
  [140, 190, 225],
  [66, 146, 198],
  [33, 113, 181],
  [84, 39, 143],
  [203, 24, 29],
];

function colorAt(t: number): string {
  const scaled = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(scaled));
  const f = scaled - i;
  const rgb = STOPS[i].map((c, k) => Math.round(c + f * (STOPS[i + 1][k] - c)));
  return `rgb(${rgb.join(',')})`;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function ParallelCoordinates(props: ParallelProps) {
  const { dims, lines, color } = props;
  if (dims.length === 0) return <p class="muted">No parameter varies, so there is nothing to draw across.</p>;
  const axes = [...dims.map((d) => axisOf(d.label, d.values, d.hint)), axisOf(`${color.label} ${color.higherIsBetter ? '↑' : '↓'}`, color.values)];
  const values = [...dims.map((d) => d.values), color.values];
  const gap = Math.max(140, Math.min(260, 900 / (axes.length - 1)));
  const width = LEFT + gap * (axes.length - 1) + RIGHT;
  const x = (i: number) => LEFT + gap * i;
  const y = (position: number | null) => (position === null ? MISSING : TOP + (1 - position) * PLOT);

  const known = color.values.filter((v): v is number => v !== null);
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  // 0 = worst, 1 = best, whichever way the metric points.
  const goodness = (v: number) => {
    const t = hi === lo ? 0.5 : (v - lo) / (hi - lo);
    return color.higherIsBetter ? t : 1 - t;
  };
  const order = lines.map((_, i) => i).sort((a, b) => (color.values[a] === null ? -1 : color.values[b] === null ? 1 : goodness(color.values[a]!) - goodness(color.values[b]!)));
  const gradient = `${props.testid}-scale`;
  const barX = x(axes.length - 1) + 44;

  return (
    <div class="table-scroll">
      <svg class="parallel" data-testid={props.testid} width={width} height={HEIGHT} viewBox={`0 0 ${width} ${HEIGHT}`}>
        <defs>
          <linearGradient id={gradient} x1="0" y1="1" x2="0" y2="0">
            {STOPS.map((_, k) => (
              <stop key={k} offset={k / (STOPS.length - 1)} stop-color={colorAt(goodness(lo + (k / (STOPS.length - 1)) * (hi - lo)))} />
            ))}
          </linearGradient>
        </defs>
        {order.map((i) => {
          const v = color.values[i];
          const points = axes.map((axis, a) => `${x(a)},${y(axis.position(values[a][i]))}`).join(' ');
          return (
            <polyline key={i} class="line" points={points} stroke={v === null ? NO_VALUE : colorAt(goodness(v))} onClick={() => navigate(lines[i].href)}>
              <title>{lines[i].label}</title>
            </polyline>
          );
        })}
        {axes.map((axis, a) => (
          <g key={a} class="axis" transform={`translate(${x(a)},0)`}>
            <line y1={TOP} y2={TOP + PLOT} />
            <text class="label" y={TOP - 14} text-anchor="middle">
              {clip(axis.label, 24)}
              <title>{axis.label}</title>
            </text>
            {axis.ticks.map((tick) => (
              <text key={tick.at} class="tick" x={-6} y={y(tick.at) + 3} text-anchor="end">
                {clip(tick.text, 14)}
              </text>
            ))}
            {values[a].some((v) => v === null || v === undefined) && (
              <text class="tick" x={-6} y={MISSING + 3} text-anchor="end">–</text>
            )}
          </g>
        ))}
        {known.length > 0 && <rect x={barX} y={TOP} width={10} height={PLOT} fill={`url(#${gradient})`} />}
      </svg>
    </div>
  );
}
