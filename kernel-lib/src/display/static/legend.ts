/** The legend for the static renderer: a sample of each entry's line and marker, and its name. */
import type { LegendEntry } from './cartesian';
import { clip, esc, n, text, textWidth } from './svg';

const MAX_NAME = 28;

/** The width a legend of these entries needs beside the plot. */
export function legendWidth(entries: LegendEntry[], title: string): number {
  return Math.min(260, Math.max(textWidth(title, 11), ...entries.map((e) => 34 + textWidth(clip(e.name, MAX_NAME), 12))) + 12);
}

/** Entries top-down from (x, y); those past `bottom` are counted, not drawn. */
export function drawLegend(entries: LegendEntry[], title: string, x: number, y: number, bottom: number): string {
  const parts: string[] = [];
  let at = y;
  if (title) {
    parts.push(text(x, at + 4, title, { size: 11, fill: '#222' }));
    at += 20;
  }
  const fits = Math.max(1, Math.floor((bottom - at) / 20));
  const shown = entries.length > fits ? entries.slice(0, fits - 1) : entries;
  for (const e of shown) {
    const dash = e.dash ? ` stroke-dasharray="${esc(e.dash)}"` : '';
    if (e.line) parts.push(`<path d="M${n(x)},${n(at)}L${n(x + 24)},${n(at)}" fill="none" stroke="${esc(e.color)}" stroke-width="2"${dash}/>`);
    if (e.marker) parts.push(`<circle cx="${n(x + 12)}" cy="${n(at)}" r="3" fill="${esc(e.color)}"/>`);
    if (!e.line && !e.marker) parts.push(`<rect x="${n(x + 6)}" y="${n(at - 6)}" width="12" height="12" fill="${esc(e.color)}"/>`);
    parts.push(text(x + 30, at, clip(e.name, MAX_NAME), { size: 12, baseline: 'middle' }));
    at += 20;
  }
  if (shown.length < entries.length) parts.push(text(x, at, `… ${entries.length - shown.length} more`, { size: 11, baseline: 'middle' }));
  return `<g class="lb-legend">${parts.join('')}</g>`;
}
