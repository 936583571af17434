/**
 * Small inline SVGs for the live display (per-epoch curves, the progress bar): no script, no
 * library. Every colour, size and font is a presentation attribute, never a CSS class, so they
 * read the same where a notebook viewer strips <style> and style attributes (GitHub, nbviewer).
 */
import { escapeHtml } from './table';

export interface SparkSeries {
  name: string;
  values: readonly (number | null)[];
  dashed?: boolean;
}

const WIDTH = 300;
const HEIGHT = 140;
const PAD = { right: 10, top: 22, bottom: 24 };
/**
 * A generous width of one character of the 10px axis text: DejaVu Sans (the usual Linux
 * sans-serif) sets digits 6.4px wide, Arial 5.6px. The left margin is sized from it, so the
 * longest tick label always fits instead of being cut at the SVG's edge.
 */
const TICK_CHAR_WIDTH = 6.5;
const MIN_LEFT = 30;
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'];

/** Epochs 0..slots-1 across, the finite values' range up; a missing value breaks the line. */
export function sparkChart(title: string, series: readonly SparkSeries[], slots: number): string {
  const finite = series.flatMap((s) => s.values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (hi === lo) {
    const pad = Math.abs(hi) > 0 ? Math.abs(hi) * 0.05 : 0.5;
    lo -= pad;
    hi += pad;
  }
  const [hiText, loText] = tickLabels(hi, lo);
  const left = Math.max(MIN_LEFT, Math.ceil(TICK_CHAR_WIDTH * Math.max(hiText.length, loText.length)) + 8);
  const plotW = WIDTH - left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => left + (slots > 1 ? (plotW * i) / (slots - 1) : plotW / 2);
  const y = (v: number) => PAD.top + plotH * (1 - (v - lo) / (hi - lo));
  const pt = (n: number) => n.toFixed(1);
  const lines = series.map((s, k) => {
    const color = COLORS[k % COLORS.length];
    const segments: string[][] = [[]];
    s.values.forEach((v, i) => {
      if (typeof v === 'number' && Number.isFinite(v)) segments[segments.length - 1].push(`${pt(x(i))},${pt(y(v))}`);
      else if (segments[segments.length - 1].length) segments.push([]);
    });
    const dash = s.dashed ? ' stroke-dasharray="5,3"' : '';
    return segments
      .filter((seg) => seg.length)
      .map((seg) =>
        seg.length === 1
          ? `<circle cx="${seg[0].split(',')[0]}" cy="${seg[0].split(',')[1]}" r="2.5" fill="${color}"/>`
          : `<polyline fill="none" stroke="${color}" stroke-width="1.8"${dash} points="${seg.join(' ')}"/>`,
      )
      .join('');
  });
  const legend = series
    .map((s, k) => `<tspan fill="${COLORS[k % COLORS.length]}">${s.dashed ? '- -' : '—'} ${escapeHtml(s.name)}</tspan>`)
    .join('  ');
  const text = (xPos: number, yPos: number, anchor: string, body: string) =>
    `<text x="${pt(xPos)}" y="${pt(yPos)}" text-anchor="${anchor}" font-size="10" fill="#555">${body}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="lb-spark" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" style="margin-right:8px">`,
    `<title>${escapeHtml(title)}</title>`,
    `<rect x="${left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="#fafafa" stroke="#ddd"/>`,
    text(left, 14, 'start', `<tspan font-weight="bold" fill="#222">${escapeHtml(title)}</tspan>  ${legend}`),
    text(left - 4, PAD.top + 8, 'end', escapeHtml(hiText)),
    text(left - 4, PAD.top + plotH, 'end', escapeHtml(loText)),
    text(left, HEIGHT - 8, 'start', '1'),
    text(WIDTH - PAD.right, HEIGHT - 8, 'end', `epoch ${slots}`),
    ...lines,
    '</svg>',
  ].join('');
}

const BAR = { width: 360, height: 10 };

/** The progress bar: a track and a fill `fraction` of it wide, in `color`; the percentage is its <title>. */
export function progressSvg(fraction: number, color: string): string {
  const f = Math.min(1, Math.max(0, fraction));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="lb-progress" width="${BAR.width}" height="${BAR.height}" viewBox="0 0 ${BAR.width} ${BAR.height}">`,
    `<title>${(100 * f).toFixed(1)}%</title>`,
    `<rect x="0" y="0" width="${BAR.width}" height="${BAR.height}" rx="4" fill="#eeeeee"/>`,
    `<rect x="0" y="0" width="${(BAR.width * f).toFixed(1)}" height="${BAR.height}" rx="4" fill="${color}"/>`,
    '</svg>',
  ].join('');
}

/**
 * Axis-end labels, compact: 3 significant digits, exponent form (`8.84e-4`) for the very small
 * and very large, and more digits only when 3 would print the two ends alike.
 */
function tickLabels(hi: number, lo: number): [string, string] {
  for (let digits = 3; digits < 7; digits++) {
    const pair: [string, string] = [compact(hi, digits), compact(lo, digits)];
    if (pair[0] !== pair[1]) return pair;
  }
  return [compact(hi, 7), compact(lo, 7)];
}

function compact(value: number, digits: number): string {
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (abs < 1e-3 || abs >= 1e5) {
    const [mantissa, exponent] = value.toExponential(digits - 1).split('e');
    return `${mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa}e${exponent.replace('+', '')}`;
  }
  return String(Number(value.toPrecision(digits)));
}
