/** Plain-text tables for the terminal; numbers, times and durations read as display formats them. */
import { formatCell, formatDuration, formatNumber, formatTime } from '../display/format';
import { visible } from './escape';

export { formatDuration, formatNumber, formatTime };

/** A table cell as text (the display layer's rule, so terminal and notebook agree), control characters shown escaped. */
export const cell = (value: unknown): string => visible(formatCell(value));

export function table(header: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [header.map(cell), ...rows.map((r) => r.map(cell))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** What a table is fitted to: a terminal's usual width, and a pasted output's. */
export const TABLE_WIDTH = 100;
/** No column is cut narrower than this (a key, a run id, a short number still read whole). */
const MIN_COLUMN = 10;

/**
 * table() no wider than `width` (less `indent`) where the columns allow: the widest column gives
 * up a character at a time, and a value longer than its column ends in an ellipsis. Cutting beats
 * wrapping here: one row per key keeps the table greppable, and --json has every value whole.
 * `keep`: columns (a table's keys, times) cut only once the others cannot give more.
 */
export function fitTable(header: string[], rows: (string | number | null | undefined)[][], width = TABLE_WIDTH, indent = 0, keep: readonly number[] = []): string {
  const cells = [header.map(cell), ...rows.map((r) => r.map(cell))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const budget = width - indent - 2 * (widths.length - 1);
  for (let total = widths.reduce((a, b) => a + b, 0); total > budget; total--) {
    const free = widths.map((w, i) => (keep.includes(i) ? 0 : w));
    const pool = Math.max(...free) > MIN_COLUMN ? free : widths;
    const widest = pool.indexOf(Math.max(...pool));
    if (widths[widest] <= MIN_COLUMN) break;
    widths[widest]--;
  }
  const fit = (text: string, w: number) => (text.length > w ? `${text.slice(0, w - 1)}…` : text.padEnd(w));
  const pad = ' '.repeat(indent);
  return cells.map((r) => pad + r.map((c, i) => fit(c ?? '', widths[i])).join('  ').trimEnd()).join('\n');
}
