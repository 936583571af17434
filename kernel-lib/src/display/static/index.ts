/**
 * staticSvg(): a plotly figure drawn as an SVG string without a browser, so a chart shows where
 * scripts never run (GitHub, an untrusted notebook, a page read with JS off). Not a plotly clone:
 * it draws the traces labbook's plots make (scatter, bar, heatmap, parcoords) and says so for others.
 */
import type { Figure } from '../../plots/figure';
import { type Axis, drawAxis, type Extent, labelWidth, makeAxis, makeTicks, px, toUnits } from './axes';
import { barExtents, drawBar, drawScatter, type LegendEntry, scatterExtents, scatterLegend, type Trace } from './cartesian';
import { drawHeatmap, heatmapExtents, heatmapScale } from './heatmap';
import { drawLegend, legendWidth } from './legend';
import { drawParcoords } from './parcoords';
import { esc, n, num, rect, text, titleText } from './svg';

const CARTESIAN = new Set(['scatter', 'scattergl', 'bar', 'heatmap']);
const obj = (v: unknown): { [key: string]: unknown } => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as { [key: string]: unknown }) : {});

/** The size the static image is drawn at: the layout's, else plotly's defaults (700 by 450). */
export function staticSize(figure: Figure): { width: number; height: number } {
  const layout = obj(figure.layout);
  const width = num(layout.width);
  const height = num(layout.height);
  return { width: width !== null && width > 0 ? width : 700, height: height !== null && height > 0 ? height : 450 };
}

export function staticSvg(figure: Figure): string {
  const layout = obj(figure.layout);
  const traces = (Array.isArray(figure.data) ? figure.data : []).map(obj) as Trace[];
  const typeOf = (t: Trace) => (typeof t.type === 'string' ? t.type : 'scatter');
  const { width: W, height: H } = staticSize(figure);
  const margin = obj(layout.margin);
  const m = { l: num(margin.l) ?? 80, r: num(margin.r) ?? 80, t: num(margin.t) ?? 100, b: num(margin.b) ?? 80 };
  const title = titleText(layout.title);

  // Legend entries: scatter and bar traces, once per legendgroup, shown as plotly would (two or more entries, or asked for).
  const entries: LegendEntry[] = [];
  const groups = new Set<string>();
  traces.forEach((t, i) => {
    const type = typeOf(t);
    if ((type !== 'scatter' && type !== 'scattergl' && type !== 'bar') || t.showlegend === false) return;
    const group = typeof t.legendgroup === 'string' && t.legendgroup !== '' ? t.legendgroup : `\u0000${i}`;
    if (groups.has(group)) return;
    groups.add(group);
    entries.push(type === 'bar' ? { ...scatterLegend(t, i), line: false, marker: false } : scatterLegend(t, i));
  });
  const showLegend = layout.showlegend === true ? entries.length > 0 : layout.showlegend !== false && entries.length > 1;
  const legendTitle = titleText(obj(layout.legend).title);
  const scaled = traces.some((t) => (typeOf(t) === 'heatmap' && t.showscale !== false) || (typeOf(t) === 'parcoords' && obj(t.line).showscale === true));
  const right = Math.max(m.r, showLegend ? legendWidth(entries, legendTitle) + 16 : 0, scaled ? 80 : 0);

  // Axes from the traces on them; y first, since their labels' width sets the left margin.
  const extents = new Map<string, Extent[]>();
  const add = (id: string, e: Extent) => extents.set(id, [...(extents.get(id) ?? []), e]);
  const axisIds = (t: Trace) => [typeof t.xaxis === 'string' ? t.xaxis : 'x', typeof t.yaxis === 'string' ? t.yaxis : 'y'];
  const cartesian = traces.map((t, i) => ({ t, i, type: typeOf(t) })).filter((c) => CARTESIAN.has(c.type));
  for (const { t, type } of cartesian) {
    const [xid, yid] = axisIds(t);
    const e = type === 'bar' ? barExtents(t) : type === 'heatmap' ? heatmapExtents(t) : scatterExtents(t);
    add(xid, e.x);
    add(yid, e.y);
  }
  // Layout axes without traces (a chart with no data left) still get a frame.
  if (cartesian.length === 0 && traces.every((t) => typeOf(t) !== 'parcoords')) {
    add('x', { values: [] });
    add('y', { values: [] });
  }
  for (const key of Object.keys(layout)) {
    const id = /^([xy])axis(\d*)$/.exec(key);
    if (id && (cartesian.length > 0 || extents.size > 0) && !extents.has(id[1] + id[2])) extents.set(id[1] + id[2], []);
  }
  const layoutKey = (id: string) => `${id[0]}axis${id.slice(1)}`;
  const axes = new Map<string, Axis>([...extents].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, e]) => [id, makeAxis(id, layout[layoutKey(id)], e)]));
  for (const axis of axes.values()) {
    // `matches`: one range for both (learning curves' panels share their epoch axis).
    const other = typeof axis.layout.matches === 'string' ? axes.get(axis.layout.matches) : undefined;
    if (other && other.kind === axis.kind && axis.kind !== 'category') {
      other.lo = axis.lo = Math.min(axis.lo, other.lo);
      other.hi = axis.hi = Math.max(axis.hi, other.hi);
    }
  }
  const plotH = H - m.t - m.b;
  let left = m.l;
  for (const axis of axes.values()) {
    if (axis.id[0] !== 'y') continue;
    axis.ticks = makeTicks(axis, plotH * (axis.domain[1] - axis.domain[0]), true);
    left = Math.max(left, labelWidth(axis.ticks) + (axis.title ? 34 : 14));
  }
  const box = { left, top: m.t, width: Math.max(40, W - left - right), height: Math.max(40, plotH) };
  for (const axis of axes.values()) {
    const [d0, d1] = axis.domain;
    if (axis.id[0] === 'x') {
      [axis.start, axis.end] = [box.left + d0 * box.width, box.left + d1 * box.width];
      axis.ticks = makeTicks(axis, box.width * (d1 - d0), false);
    } else {
      [axis.start, axis.end] = [box.top + (1 - d0) * box.height, box.top + (1 - d1) * box.height];
    }
  }

  const parts: string[] = [rect(0, 0, W, H, '#ffffff')];
  const span = (a: Axis | undefined, fallback: [number, number]): [number, number] => (a ? [Math.min(a.start, a.end), Math.max(a.start, a.end)] : fallback);
  for (const axis of axes.values()) {
    const vertical = axis.id[0] === 'y';
    const partner = axes.get(axis.anchor);
    const across = span(partner, vertical ? [box.left, box.left + box.width] : [box.top, box.top + box.height]);
    parts.push(drawAxis(axis, vertical, across, vertical ? across[0] : across[1]));
  }
  const bars = cartesian.filter((c) => c.type === 'bar');
  for (const { t, i, type } of [...cartesian.filter((c) => c.type === 'heatmap'), ...bars, ...cartesian.filter((c) => c.type === 'scatter' || c.type === 'scattergl')]) {
    const [xid, yid] = axisIds(t);
    const xa = axes.get(xid)!;
    const ya = axes.get(yid)!;
    if (type === 'heatmap') parts.push(drawHeatmap(t, xa, ya));
    else if (type === 'bar') parts.push(drawBar(t, i, xa, ya, bars.findIndex((b) => b.i === i), bars.length));
    else parts.push(drawScatter(t, i, xa, ya));
  }
  const barX = box.left + box.width + 16;
  for (const t of traces) {
    if (typeOf(t) === 'parcoords') parts.push(drawParcoords(t, box, barX));
    if (typeOf(t) === 'heatmap') parts.push(heatmapScale(t, barX, box.top + 10, Math.min(box.height - 10, 240)));
  }
  parts.push(annotations(layout, axes, box));
  if (showLegend) parts.push(drawLegend(entries, legendTitle, box.left + box.width + 16, box.top + 6, H - 8));
  const unknown = [...new Set(traces.map(typeOf).filter((type) => !CARTESIAN.has(type) && type !== 'parcoords'))];
  unknown.forEach((type, k) => {
    parts.push(text(box.left + box.width / 2, box.top + box.height / 2 + 18 * k, `trace type ${type} has no static rendering; open in a notebook with JavaScript`, { anchor: 'middle', size: 12, fill: '#b00' }));
  });
  if (title) parts.push(text(W / 2, Math.min(30, m.t / 2 + 4), title, { anchor: 'middle', size: 16, fill: '#222' }));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(W)}" height="${n(H)}" viewBox="0 0 ${n(W)} ${n(H)}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(title || 'labbook figure')}</title>`,
    ...parts,
    '</svg>',
  ].join('');
}

/** Text annotations: in paper coordinates (0..1 over the plot area) or at data values on the axes they name. */
function annotations(layout: { [key: string]: unknown }, axes: Map<string, Axis>, box: { left: number; top: number; width: number; height: number }): string {
  const list = Array.isArray(layout.annotations) ? layout.annotations.map(obj) : [];
  return list
    .map((a) => {
      const body = typeof a.text === 'string' || typeof a.text === 'number' ? String(a.text).replace(/<br\s*\/?>/gi, ' ') : '';
      const at = (key: 'x' | 'y'): number | null => {
        const ref = typeof a[`${key}ref`] === 'string' ? (a[`${key}ref`] as string) : key;
        if (ref === 'paper') {
          const f = num(a[key]);
          return f === null ? null : key === 'x' ? box.left + f * box.width : box.top + (1 - f) * box.height;
        }
        const axis = axes.get(ref.replace(/ domain$/, ''));
        const u = axis ? toUnits(axis, a[key]) : null;
        return axis && u !== null ? px(axis, u) : null;
      };
      const x = at('x');
      const y = at('y');
      if (!body || x === null || y === null) return '';
      const font = obj(a.font);
      return text(x, y, body, { anchor: 'middle', size: num(font.size) ?? 12, fill: typeof font.color === 'string' ? font.color : '#222', baseline: 'middle' });
    })
    .join('');
}
