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
