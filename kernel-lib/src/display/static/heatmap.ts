/** Heatmap cells coloured by a colour scale, with a colour bar, for the static renderer. */
import { type Axis, compact, type Extent, px, toUnits } from './axes';
import type { Trace } from './cartesian';
import { colorAt, colorBar, colorScale } from './colors';
import { num, rect } from './svg';

const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function rows(t: Trace): unknown[][] {
  return arr(t.z).map((r) => arr(r));
}

function positions(t: Trace, key: 'x' | 'y', count: number): unknown[] {
  return Array.isArray(t[key]) ? (t[key] as unknown[]) : Array.from({ length: count }, (_, i) => i);
}

export function heatmapExtents(t: Trace): { x: Extent; y: Extent } {
  const z = rows(t);
  const widest = Math.max(0, ...z.map((r) => r.length));
  const pad = (values: unknown[]) => {
    // Numeric positions are cell centres: the range reaches half a cell past each end.
    const nums = values.filter((v): v is number => typeof v === 'number');
    if (nums.length !== values.length || nums.length === 0) return values;
    const half = nums.length > 1 ? (nums[nums.length - 1] - nums[0]) / (nums.length - 1) / 2 : 0.5;
    return [...values, nums[0] - half, nums[nums.length - 1] + half];
  };
  return { x: { values: pad(positions(t, 'x', widest)) }, y: { values: pad(positions(t, 'y', z.length)) } };
}

function zRange(t: Trace): [number, number] {
  const finite = rows(t).flat().filter((v): v is number => num(v) !== null);
  const lo = num(t.zmin) ?? (finite.length ? Math.min(...finite) : 0);
  const hi = num(t.zmax) ?? (finite.length ? Math.max(...finite) : 1);
  return [lo, hi];
}

/** One rect per cell (a missing value leaves its cell empty), xgap/ygap pixels apart. */
export function drawHeatmap(t: Trace, xa: Axis, ya: Axis): string {
  const z = rows(t);
  const xs = positions(t, 'x', Math.max(0, ...z.map((r) => r.length)));
  const ys = positions(t, 'y', z.length);
  const scale = colorScale(t.colorscale, t.reversescale);
  const [lo, hi] = zRange(t);
  const xgap = num(t.xgap) ?? 0;
  const ygap = num(t.ygap) ?? 0;
  const step = (axis: Axis, values: unknown[]) => {
    const nums = values.map((v) => toUnits(axis, v)).filter((v): v is number => v !== null);
    return axis.kind === 'category' || nums.length < 2 ? 1 : (nums[nums.length - 1] - nums[0]) / (nums.length - 1);
  };
  const sx = step(xa, xs);
  const sy = step(ya, ys);
  const cells: string[] = [];
  z.forEach((row, r) => {
    const uy = toUnits(ya, ys[r]);
    row.forEach((v, c) => {
      const ux = toUnits(xa, xs[c]);
      const value = num(v);
      if (ux === null || uy === null || value === null) return;
      const [x0, x1] = [px(xa, ux - sx / 2), px(xa, ux + sx / 2)].sort((a, b) => a - b);
      const [y0, y1] = [px(ya, uy - sy / 2), px(ya, uy + sy / 2)].sort((a, b) => a - b);
      cells.push(rect(x0 + xgap / 2, y0 + ygap / 2, x1 - x0 - xgap, y1 - y0 - ygap, colorAt(scale, hi > lo ? (value - lo) / (hi - lo) : 0.5)));
    });
  });
  return `<g class="lb-trace-heatmap">${cells.join('')}</g>`;
}

/** The heatmap's colour bar, at `x` beside the plot, unless the trace turns it off. */
export function heatmapScale(t: Trace, x: number, top: number, height: number): string {
  if (t.showscale === false) return '';
  const [lo, hi] = zRange(t);
  return colorBar(colorScale(t.colorscale, t.reversescale), lo, hi, x, top, height, '', compact);
}
