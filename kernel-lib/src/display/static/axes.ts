/** Axes for the static renderer: linear, log and category scales, nice tick steps, and drawing them. */
import { clip, line, num, text, textWidth, titleText } from './svg';

export interface Tick {
  at: number;
  label: string;
}

export interface Axis {
  /** 'x', 'x2', 'y', ... as traces name them. */
  id: string;
  kind: 'linear' | 'log' | 'category';
  title: string;
  categories: string[];
  /** The range in axis units (log10 of the value on a log axis; the index on a category axis). */
  lo: number;
  hi: number;
  reversed: boolean;
  /** The domain (fraction of the plot area) and where it lies in pixels, once laid out. */
  domain: [number, number];
  anchor: string;
  layout: { [key: string]: unknown };
  start: number;
  end: number;
  ticks: Tick[];
}

/** What a trace puts on an axis: its values, and whether the range should reach zero (bars) or pad out (markers). */
export interface Extent {
  values: unknown[];
  zero?: boolean;
  pad?: boolean;
}

export function makeAxis(id: string, layoutAxis: unknown, extents: Extent[]): Axis {
  const a = (layoutAxis !== null && typeof layoutAxis === 'object' ? layoutAxis : {}) as { [key: string]: unknown };
  const values = extents.flatMap((e) => e.values);
  const categorical = a.type === 'category' || (a.type !== 'linear' && a.type !== 'log' && values.some((v) => typeof v === 'string'));
  const domain = Array.isArray(a.domain) && a.domain.length === 2 && a.domain.every((d) => typeof d === 'number') ? (a.domain as [number, number]) : [0, 1];
  const axis: Axis = {
    id,
    kind: categorical ? 'category' : a.type === 'log' ? 'log' : 'linear',
    title: titleText(a.title),
    categories: [],
    lo: 0,
    hi: 1,
    reversed: a.autorange === 'reversed',
    domain: [domain[0], domain[1]],
    anchor: typeof a.anchor === 'string' ? a.anchor : id.startsWith('x') ? 'y' : 'x',
    layout: a,
    start: 0,
    end: 1,
    ticks: [],
  };
  if (axis.kind === 'category') {
    const order = a.categoryorder === 'array' && Array.isArray(a.categoryarray) ? a.categoryarray.map(String) : [];
    axis.categories = [...new Set([...order, ...values.filter((v) => v !== null && v !== undefined).map(String)])];
    axis.lo = -0.5;
    axis.hi = Math.max(0, axis.categories.length - 1) + 0.5;
    return axis;
  }
  const nums = values.map((v) => toUnits(axis, v)).filter((v): v is number => v !== null);
  if (extents.some((e) => e.zero) && axis.kind === 'linear') nums.push(0);
  let lo = nums.length ? Math.min(...nums) : 0;
  let hi = nums.length ? Math.max(...nums) : 1;
  if (hi === lo) {
    const pad = Math.abs(hi) > 0 ? Math.abs(hi) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  } else {
    const pad = (hi - lo) * (extents.some((e) => e.pad) ? 0.06 : extents.some((e) => e.zero) ? 0.04 : 0);
    lo = extents.some((e) => e.zero) && lo === 0 ? 0 : lo - pad;
    hi += pad;
  }
  axis.lo = lo;
  axis.hi = hi;
  return axis;
}

/** A value in axis units, or null where it cannot be placed (a gap). */
export function toUnits(axis: Axis, v: unknown): number | null {
  if (axis.kind === 'category') {
    if (typeof v === 'number' && !axis.categories.includes(String(v))) return v; // an index, as annotations give them
    const i = v === null || v === undefined ? -1 : axis.categories.indexOf(String(v));
    return i < 0 ? null : i;
  }
  const x = num(v);
  if (x === null) return null;
  if (axis.kind === 'log') return x > 0 ? Math.log10(x) : null;
  return x;
}

/** The pixel position of a value in axis units. */
export function px(axis: Axis, u: number): number {
  const f = (u - axis.lo) / (axis.hi - axis.lo || 1);
  const t = axis.reversed ? 1 - f : f;
  // y grows downward in SVG: the start of a y axis is its bottom.
  return axis.start + (axis.end - axis.start) * t;
}

/** Tick positions and labels for an axis `length` px long. */
export function makeTicks(axis: Axis, length: number, vertical: boolean): Tick[] {
  const target = Math.max(2, Math.floor(length / (vertical ? 45 : 90)));
  if (axis.kind === 'category') {
    const every = Math.max(1, Math.ceil(axis.categories.length / Math.max(1, Math.floor(length / (vertical ? 14 : 60)))));
    return axis.categories.map((c, i) => ({ at: i, label: clip(c, 28) })).filter((_, i) => i % every === 0);
  }
  if (axis.kind === 'log') return logTicks(axis.lo, axis.hi, target);
  const dtick = num(axis.layout.dtick);
  const span = axis.hi - axis.lo;
  const step = dtick !== null && dtick > 0 && span / dtick <= target * 2.5 ? dtick : niceStep(span, target);
  const first = Math.ceil(axis.lo / step - 1e-9);
  const ticks: Tick[] = [];
  for (let k = first; k * step <= axis.hi + step * 1e-9 && ticks.length < 50; k++) {
    const at = k * step;
    ticks.push({ at, label: formatTick(at, step) });
  }
  return ticks;
}

/** 1, 2, 2.5 or 5 times a power of ten: steps a reader can add up in their head. */
export function niceStep(span: number, target: number): number {
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw * 0.999) return m * mag;
  return 10 * mag;
}

function formatTick(value: number, step: number): string {
  if (Math.abs(value) < step * 1e-6) return '0';
  const big = Math.max(Math.abs(value), step);
  if (big >= 1e6 || step < 1e-4) return compact(value);
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9) + (Math.abs(step / 10 ** Math.floor(Math.log10(step)) - 2.5) < 1e-9 ? 1 : 0));
  return value.toFixed(Math.min(decimals, 8));
}

/** `8.84e-4`, `1.5e+6` without trailing zeros. */
export function compact(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e5) return String(Number(value.toPrecision(4)));
  const [m, e] = value.toExponential(3).split('e');
  return `${m.includes('.') ? m.replace(/\.?0+$/, '') : m}e${e.replace('+', '')}`;
}

/** Decades, and 2 and 5 between them when the range spans few decades. */
function logTicks(lo: number, hi: number, target: number): Tick[] {
  const ticks: Tick[] = [];
  const decades = hi - lo;
  const between = decades < target / 2 ? [1, 2, 5] : [1];
  const stride = Math.max(1, Math.ceil(decades / target));
  for (let d = Math.floor(lo); d <= Math.ceil(hi); d++) {
    if (between.length === 1 && d % stride !== 0) continue;
    for (const m of between) {
      const at = d + Math.log10(m);
      if (at >= lo - 1e-9 && at <= hi + 1e-9) ticks.push({ at, label: compact(m * 10 ** d) });
    }
  }
  return ticks;
}

/** The widest tick label, in px: a y axis's labels set the left margin. */
export function labelWidth(ticks: Tick[], size = 11): number {
  return Math.max(0, ...ticks.map((t) => textWidth(t.label, size)));
}

/**
 * Grid lines across the subplot, tick labels and the title. `across` is the other axis's pixel
 * span (a y axis's grid runs across its x axis); `at` is where the axis line sits.
 */
export function drawAxis(axis: Axis, vertical: boolean, across: [number, number], at: number): string {
  const parts: string[] = [];
  for (const t of axis.ticks) {
    const p = px(axis, t.at);
    if (vertical) {
      parts.push(line(across[0], p, across[1], p, '#e5e5e5'));
      parts.push(text(at - 6, p, t.label, { anchor: 'end', size: 11, baseline: 'middle' }));
    } else {
      parts.push(line(p, across[0], p, across[1], '#e5e5e5'));
      parts.push(text(p, at + 16, t.label, { anchor: 'middle', size: 11 }));
    }
  }
  parts.push(vertical ? line(at, axis.start, at, axis.end, '#888') : line(axis.start, at, axis.end, at, '#888'));
  if (axis.title) {
    const mid = (axis.start + axis.end) / 2;
    parts.push(
      vertical
        ? text(at - labelWidth(axis.ticks) - 16, mid, clip(axis.title, 60), { anchor: 'middle', size: 12, fill: '#222', rotate: -90 })
        : text(mid, at + 34, clip(axis.title, 80), { anchor: 'middle', size: 12, fill: '#222' }),
    );
  }
  return parts.join('');
}
