/** SVG text helpers for the static renderer: rounded numbers, escaped text, measured labels (no DOM). */

/** Two decimals, no `-0`: the same figure always prints the same bytes. */
export function n(value: number): string {
  const r = Math.round(value * 100) / 100;
  return String(r === 0 ? 0 : r);
}

/** Escapes text and attribute values alike (names in figures come from user data). */
export function esc(text: unknown): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * A generous width of one character at `size` px: no font metrics without a browser, so labels
 * are sized as DejaVu Sans (the widest usual sans-serif) sets them and never overflow a margin.
 */
export function textWidth(text: string, size = 12): number {
  return text.length * size * 0.6;
}

/** Cuts a label to `max` characters with an ellipsis (the full text stays in a <title> where it matters). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

export interface TextOptions {
  anchor?: 'start' | 'middle' | 'end';
  size?: number;
  fill?: string;
  weight?: 'bold';
  /** Degrees, about (x, y). */
  rotate?: number;
  baseline?: 'middle' | 'hanging';
}

/** A <text> with every presentation attribute spelled out, so it reads right with all CSS stripped. */
export function text(x: number, y: number, body: string, o: TextOptions = {}): string {
  const attrs = [
    `x="${n(x)}"`,
    `y="${n(y)}"`,
    `font-size="${o.size ?? 12}"`,
    `fill="${esc(o.fill ?? '#444')}"`,
    o.anchor && o.anchor !== 'start' ? `text-anchor="${o.anchor}"` : '',
    o.weight ? `font-weight="${o.weight}"` : '',
    o.baseline ? `dominant-baseline="${o.baseline}"` : '',
    o.rotate ? `transform="rotate(${n(o.rotate)} ${n(x)} ${n(y)})"` : '',
  ].filter(Boolean);
  return `<text ${attrs.join(' ')}>${esc(body)}</text>`;
}

export function line(x1: number, y1: number, x2: number, y2: number, stroke: string, width = 1): string {
  return `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="${esc(stroke)}" stroke-width="${n(width)}"/>`;
}

export function rect(x: number, y: number, w: number, h: number, fill: string, extra = ''): string {
  return `<rect x="${n(x)}" y="${n(y)}" width="${n(Math.max(0, w))}" height="${n(Math.max(0, h))}" fill="${esc(fill)}"${extra}/>`;
}

/** A number from plotly JSON, or null for anything plotly would leave a gap for. */
export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A plotly title (`'t'` or `{text: 't'}`) as plain text. */
export function titleText(title: unknown): string {
  const t = typeof title === 'string' ? title : (title as { text?: unknown } | undefined)?.text;
  return typeof t === 'string' || typeof t === 'number' ? String(t) : '';
}
