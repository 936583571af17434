/** Parallel coordinates for the static renderer: a vertical axis per dimension, a polyline per row. */
import { compact, niceStep } from './axes';
import type { Trace } from './cartesian';
import { COLORWAY, colorAt, colorBar, colorScale } from './colors';
import { clip, esc, line, n, num, text, textWidth, titleText } from './svg';

const MAX_TICK = 24;

interface Dimension {
  label: string;
  values: unknown[];
  lo: number;
  hi: number;
  ticks: { at: number; label: string }[];
}

const obj = (v: unknown): { [key: string]: unknown } => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as { [key: string]: unknown }) : {});

function dimension(raw: unknown): Dimension {
  const d = obj(raw);
  const values = Array.isArray(d.values) ? d.values : [];
  const finite = values.filter((v): v is number => num(v) !== null);
  const range = Array.isArray(d.range) && d.range.length === 2 && d.range.every((v) => num(v) !== null) ? (d.range as [number, number]) : null;
  let lo = range ? range[0] : finite.length ? Math.min(...finite) : 0;
  let hi = range ? range[1] : finite.length ? Math.max(...finite) : 1;
  if (hi === lo) [lo, hi] = [lo - (Math.abs(lo) * 0.1 || 1), hi + (Math.abs(hi) * 0.1 || 1)];
  let ticks: Dimension['ticks'];
  if (Array.isArray(d.tickvals)) {
    const texts = Array.isArray(d.ticktext) ? d.ticktext : [];
    ticks = d.tickvals.flatMap((v, i) => (num(v) === null ? [] : [{ at: v as number, label: String(texts[i] ?? compact(v as number)) }]));
  } else {
    const step = niceStep(hi - lo, 5);
    ticks = [];
    for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9 && ticks.length < 20; k++) ticks.push({ at: k * step, label: compact(Number((k * step).toPrecision(12))) });
  }
  return { label: String(d.label ?? ''), values, lo, hi, ticks };
}

/** Draws into the box (left, top, width, height); the colour bar, when shown, goes at `barX`. */
export function drawParcoords(t: Trace, area: { left: number; top: number; width: number; height: number }, barX: number): string {
  const dims = (Array.isArray(t.dimensions) ? t.dimensions : []).map(dimension);
  if (dims.length === 0) return '';
  // The first axis's tick labels sit left of it: room for the widest, so none runs off the image.
  const inset = Math.max(0, Math.max(0, ...dims[0].ticks.map((tk) => textWidth(clip(tk.label, MAX_TICK), 10))) + 10 - area.left);
  const box = { ...area, left: area.left + inset, width: Math.max(20, area.width - inset) };
  const lineSpec = obj(t.line);
  const scale = colorScale(lineSpec.colorscale, lineSpec.reversescale);
  const colors = Array.isArray(lineSpec.color) ? lineSpec.color : [];
  const finite = colors.filter((v): v is number => num(v) !== null);
  const cmin = num(lineSpec.cmin) ?? (finite.length ? Math.min(...finite) : 0);
  const cmax = num(lineSpec.cmax) ?? (finite.length ? Math.max(...finite) : 1);
  const single = typeof lineSpec.color === 'string' ? lineSpec.color : COLORWAY[0];
  const xAt = (i: number) => box.left + (dims.length > 1 ? (box.width * i) / (dims.length - 1) : box.width / 2);
  const yAt = (d: Dimension, v: number) => box.top + box.height * (1 - (v - d.lo) / (d.hi - d.lo));
  const rows = Math.max(0, ...dims.map((d) => d.values.length));
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const pts = dims.map((d, i) => (num(d.values[r]) === null ? null : `${n(xAt(i))},${n(yAt(d, d.values[r] as number))}`));
    if (pts.some((p) => p === null)) continue;
    const c = num(colors[r]);
    const stroke = c === null ? single : colorAt(scale, cmax > cmin ? (c - cmin) / (cmax - cmin) : 0.5);
    lines.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${esc(stroke)}" stroke-width="1.5" stroke-opacity="0.8"/>`);
  }
  const maxLabel = Math.max(6, Math.floor((dims.length > 1 ? box.width / (dims.length - 1) : box.width) / 7));
  const axes = dims.map((d, i) => {
    const x = xAt(i);
    return [
      line(x, box.top, x, box.top + box.height, '#444'),
      text(x, box.top - 12, clip(d.label, maxLabel), { anchor: 'middle', size: 12, fill: '#222' }),
      ...d.ticks.filter((tk) => tk.at >= d.lo - 1e-9 && tk.at <= d.hi + 1e-9).flatMap((tk) => [line(x - 3, yAt(d, tk.at), x, yAt(d, tk.at), '#444'), text(x - 5, yAt(d, tk.at), clip(tk.label, MAX_TICK), { anchor: 'end', size: 10, baseline: 'middle' })]),
    ].join('');
  });
  const showScale = lineSpec.showscale === true && finite.length > 0;
  const bar = showScale ? colorBar(scale, cmin, cmax, barX, box.top, box.height, titleText(obj(lineSpec.colorbar).title), compact) : '';
  return `<g class="lb-trace-parcoords">${lines.join('')}</g>${axes.join('')}${bar}`;
}
