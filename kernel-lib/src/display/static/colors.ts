/** Colours for the static renderer: plotly's default colourway, its named colour scales, a colour bar. */
import { esc, n, rect, text } from './svg';

/** plotly's default colourway (D3 category10), for traces that name no colour. */
export const COLORWAY = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

type Scale = [number, string][];

/** plotly.js's own definitions of the scales labbook's plots use, and a few common ones. */
const SCALES: { [name: string]: Scale } = {
  Blues: [[0, '#050aac'], [0.35, '#283cbe'], [0.5, '#4664f5'], [0.6, '#5a78f5'], [0.7, '#6a89f7'], [1, '#dcdcdc']],
  Greys: [[0, '#000000'], [1, '#ffffff']],
  Reds: [[0, '#dcdcdc'], [0.2, '#f5a05a'], [0.4, '#e97a4a'], [1, '#b20a1c']],
  Viridis: [[0, '#440154'], [0.06, '#48186a'], [0.13, '#472d7b'], [0.19, '#424086'], [0.25, '#3b528b'], [0.31, '#33638d'], [0.38, '#2c728e'], [0.44, '#26828e'], [0.5, '#21918c'], [0.56, '#1fa088'], [0.63, '#28ae80'], [0.69, '#3fbc73'], [0.75, '#5ec962'], [0.82, '#84d44b'], [0.88, '#addc30'], [0.94, '#d8e219'], [1, '#fde725']],
  Cividis: [[0, '#00204c'], [0.5, '#7c7b78'], [1, '#ffe945']],
  RdBu: [[0, '#050aac'], [0.35, '#6a89f7'], [0.5, '#bebebe'], [0.6, '#dcaa84'], [0.7, '#e6915a'], [1, '#b20a1c']],
};

/** A trace's colour scale (a name or `[[stop, colour], ...]`), reversed where the trace says; unknown names fall back to Viridis. */
export function colorScale(spec: unknown, reverse: unknown): Scale {
  let scale = typeof spec === 'string' ? SCALES[spec] : undefined;
  if (Array.isArray(spec) && spec.every((s) => Array.isArray(s) && typeof s[0] === 'number' && typeof s[1] === 'string')) scale = spec as Scale;
  scale ??= SCALES.Viridis;
  return reverse === true ? scale.map(([t, c]) => [1 - t, c] as [number, string]).reverse() : scale;
}

/** The colour at `t` in [0, 1], interpolated in RGB between the scale's stops (hex colours; others are taken at the nearest stop). */
export function colorAt(scale: Scale, t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  for (let i = 1; i < scale.length; i++) {
    const [t0, c0] = scale[i - 1];
    const [t1, c1] = scale[i];
    if (x > t1 && i < scale.length - 1) continue;
    const a = rgb(c0);
    const b = rgb(c1);
    if (!a || !b) return x - t0 < t1 - x ? c0 : c1;
    const f = t1 > t0 ? (x - t0) / (t1 - t0) : 0;
    return `#${a.map((v, k) => Math.round(v + (b[k] - v) * f).toString(16).padStart(2, '0')).join('')}`;
  }
  return scale[0][1];
}

function rgb(color: string): [number, number, number] | null {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return null;
  const v = parseInt(m[1], 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** A vertical colour bar: `steps` bands from lo (bottom) to hi (top), the ends labelled, an optional title above. */
export function colorBar(scale: Scale, lo: number, hi: number, x: number, y: number, h: number, title: string, format: (v: number) => string): string {
  const steps = 24;
  const band = h / steps;
  const parts = title ? [text(x, y - 8, title, { size: 11 })] : [];
  for (let i = 0; i < steps; i++) parts.push(rect(x, y + h - (i + 1) * band, 14, band + 0.5, colorAt(scale, (i + 0.5) / steps)));
  parts.push(`<rect x="${n(x)}" y="${n(y)}" width="14" height="${n(h)}" fill="none" stroke="${esc('#888')}" stroke-width="0.5"/>`);
  parts.push(text(x + 18, y + 4, format(hi), { size: 10, baseline: 'middle' }), text(x + 18, y + h, format(lo), { size: 10, baseline: 'middle' }));
  return parts.join('');
}
