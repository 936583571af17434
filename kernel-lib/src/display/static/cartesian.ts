/** Scatter (lines, markers, dashes) and bar traces on x/y axes, for the static renderer. */
import { type Axis, type Extent, px, toUnits } from './axes';
import { COLORWAY } from './colors';
import { esc, n, num, rect, text, textWidth } from './svg';

export type Trace = { [key: string]: unknown };

export interface LegendEntry {
  name: string;
  color: string;
  dash: string | null;
  line: boolean;
  marker: boolean;
}

const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): { [key: string]: unknown } => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as { [key: string]: unknown }) : {});

/** The trace's colour: its line's, else its marker's (when one colour), else the colourway's for its index. */
export function traceColor(t: Trace, index: number): string {
  const line = obj(t.line).color;
  const marker = obj(t.marker).color;
  if (typeof line === 'string') return line;
  if (typeof marker === 'string') return marker;
  return COLORWAY[index % COLORWAY.length];
}

const DASHES: { [name: string]: string } = { dash: '6,4', dot: '2,3', dashdot: '6,3,2,3', longdash: '10,4', longdashdot: '10,3,2,3' };

export function dashOf(t: Trace): string | null {
  const dash = obj(t.line).dash;
  return typeof dash === 'string' ? (DASHES[dash] ?? (/^[\d.,\s]+$/.test(dash) ? dash : null)) : null;
}

/** plotly's default: lines and markers under 20 points, lines alone past that. */
function modeOf(t: Trace): string {
  return typeof t.mode === 'string' ? t.mode : arr(t.y).length < 20 ? 'lines+markers' : 'lines';
}

export function scatterExtents(t: Trace): { x: Extent; y: Extent } {
  const y = arr(t.y);
  const x = Array.isArray(t.x) ? t.x : y.map((_, i) => i);
  const pad = modeOf(t).includes('markers');
  return { x: { values: x, pad }, y: { values: y, pad } };
}

export function scatterLegend(t: Trace, index: number): LegendEntry {
  const mode = modeOf(t);
  return { name: typeof t.name === 'string' ? t.name : `trace ${index}`, color: traceColor(t, index), dash: dashOf(t), line: mode.includes('lines'), marker: mode.includes('markers') };
}

/** A line broken at every gap (connectgaps false, plotly's default), and a circle per point in marker modes. */
export function drawScatter(t: Trace, index: number, xa: Axis, ya: Axis): string {
  const y = arr(t.y);
  const x = Array.isArray(t.x) ? t.x : y.map((_, i) => i);
  const mode = modeOf(t);
  const color = traceColor(t, index);
  const width = num(obj(t.line).width) ?? 2;
  const dash = dashOf(t);
  const points = y.map((v, i) => {
    const ux = toUnits(xa, x[i]);
    const uy = toUnits(ya, v);
    return ux === null || uy === null ? null : [px(xa, ux), px(ya, uy)];
  });
  const parts: string[] = [];
  if (mode.includes('lines')) {
    let d = '';
    let pen = false;
    for (const p of points) {
      if (p === null) {
        pen = t.connectgaps === true && pen;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${n(p[0])},${n(p[1])}`;
      pen = true;
    }
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${esc(color)}" stroke-width="${n(width)}"${dash ? ` stroke-dasharray="${esc(dash)}"` : ''} stroke-linejoin="round"/>`);
  }
  if (mode.includes('markers')) {
    const marker = obj(t.marker);
    const r = (num(marker.size) ?? 6) / 2;
    const colors = arr(marker.color);
    points.forEach((p, i) => {
      if (p) parts.push(`<circle cx="${n(p[0])}" cy="${n(p[1])}" r="${n(r)}" fill="${esc(typeof colors[i] === 'string' ? colors[i] : color)}"/>`);
    });
  }
  return `<g class="lb-trace-scatter">${parts.join('')}</g>`;
}

export function barExtents(t: Trace): { x: Extent; y: Extent } {
  const horizontal = t.orientation === 'h';
  const values = arr(horizontal ? t.x : t.y);
  const positions = Array.isArray(horizontal ? t.y : t.x) ? (arr(horizontal ? t.y : t.x)) : values.map((_, i) => i);
  const value: Extent = { values, zero: true };
  const position: Extent = { values: positions };
  return horizontal ? { x: value, y: position } : { x: position, y: value };
}

/** Bars from zero, 80% of a category's slot shared among `group` bar traces; their text at the bar's end. */
export function drawBar(t: Trace, index: number, xa: Axis, ya: Axis, slot: number, group: number): string {
  const horizontal = t.orientation === 'h';
  const [va, pa] = horizontal ? [xa, ya] : [ya, xa];
  const values = arr(horizontal ? t.x : t.y);
  const positions = Array.isArray(horizontal ? t.y : t.x) ? arr(horizontal ? t.y : t.x) : values.map((_, i) => i);
  const colors = arr(obj(t.marker).color);
  const color = traceColor(t, index);
  const labels = arr(t.text);
  const width = 0.8 / Math.max(1, group);
  const parts: string[] = [];
  values.forEach((v, i) => {
    const value = toUnits(va, v);
    const pos = toUnits(pa, positions[i]);
    if (value === null || pos === null) return;
    const p0 = px(pa, pos - 0.4 + slot * width);
    const p1 = px(pa, pos - 0.4 + (slot + 1) * width);
    const base = px(va, va.kind === 'log' ? va.lo : Math.min(Math.max(0, va.lo), va.hi));
    const tip = px(va, value);
    const fill = typeof colors[i] === 'string' ? (colors[i] as string) : color;
    parts.push(horizontal ? rect(Math.min(base, tip), Math.min(p0, p1), Math.abs(tip - base), Math.abs(p1 - p0), fill) : rect(Math.min(p0, p1), Math.min(base, tip), Math.abs(p1 - p0), Math.abs(tip - base), fill));
    const label = typeof labels[i] === 'string' || typeof labels[i] === 'number' ? String(labels[i]) : '';
    if (!label) return;
    const mid = (p0 + p1) / 2;
    const inside = Math.abs(tip - base) > textWidth(label, 11) + 8;
    if (horizontal) {
      const dir = tip >= base ? 1 : -1;
      parts.push(text(inside ? tip - 4 * dir : tip + 4 * dir, mid, label, { anchor: (dir > 0) === inside ? 'end' : 'start', size: 11, fill: inside ? '#ffffff' : '#222', baseline: 'middle' }));
    } else {
      parts.push(text(mid, inside ? tip + 14 : tip - 4, label, { anchor: 'middle', size: 11, fill: inside ? '#ffffff' : '#222' }));
    }
  });
  return `<g class="lb-trace-bar">${parts.join('')}</g>`;
}
