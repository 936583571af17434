/** One table model rendered two ways: escaped HTML for notebooks, aligned text for terminals. */
import { truncate } from './format';

/** A row of already formatted cells, or the marker for rows left out. */
export type Row = string[] | 'ellipsis';

export interface TableModel {
  columns: string[];
  rows: Row[];
  /** A label per row (a frame's index); ellipsis rows take none. */
  index?: string[];
  /** A second header row, e.g. a frame's dtypes. */
  dtypes?: string[];
  /** Columns whose cells are run statuses, drawn as coloured badges. */
  badgeColumns?: number[];
  caption?: string;
}

const CELL_CHARS = 80;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STATUS_COLORS: { [status: string]: string } = {
  running: '#1f77b4',
  finished: '#2ca02c',
  failed: '#d62728',
  killed: '#ff7f0e',
  crashed: '#8c564b',
};

export function badge(status: string): string {
  const color = STATUS_COLORS[status] ?? '#7f7f7f';
  return `<span class="lb-badge" style="background:${color}">${escapeHtml(status)}</span>`;
}

/** Scoped styles: every class starts with lb- so a notebook's own CSS is left alone. */
export const STYLE = `<style>
.lb{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:13px;color:#222;line-height:1.4}
.lb table.lb-table{border-collapse:collapse;margin:4px 0 10px 0}
.lb .lb-table th,.lb .lb-table td{border-bottom:1px solid #e3e3e3;padding:3px 8px;text-align:right;vertical-align:top;white-space:nowrap}
.lb .lb-table thead th{border-bottom:2px solid #bbb;text-align:center}
.lb .lb-table tr.lb-dtypes th,.lb .lb-table tr.lb-dtypes td{color:#888;font-weight:normal;font-style:italic;text-align:center}
.lb .lb-table tr.lb-ellipsis td,.lb .lb-table tr.lb-ellipsis th{color:#888;text-align:center}
.lb .lb-table tbody th{color:#555;text-align:left}
.lb .lb-table td.lb-text{text-align:left}
.lb .lb-scroll{overflow-x:auto;max-width:100%}
.lb .lb-caption{color:#666;font-size:12px;margin-bottom:6px}
.lb .lb-badge{color:#fff;border-radius:8px;padding:1px 8px;font-size:12px}
.lb h3.lb-title{margin:6px 0;font-size:15px}
.lb h4{margin:10px 0 2px 0;font-size:13px;color:#444}
.lb .lb-card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;display:inline-block;min-width:320px}
.lb .lb-meta span{margin-right:14px}
.lb code,.lb pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.lb pre.lb-error{color:#b00;background:#fff4f4;padding:6px;white-space:pre-wrap}
</style>`;

export function htmlTable(model: TableModel): string {
  const text = (cell: string) => escapeHtml(truncate(cell, CELL_CHARS));
  const isNumeric = (cell: string) => /^-?(\d|NaN$|Infinity$)/.test(cell) || cell === '';
  const badges = new Set(model.badgeColumns ?? []);
  const lead = model.index ? '<th></th>' : '';
  const head = [`<tr>${lead}${model.columns.map((c) => `<th>${text(c)}</th>`).join('')}</tr>`];
  if (model.dtypes) head.push(`<tr class="lb-dtypes">${lead}${model.dtypes.map((d) => `<td>${text(d)}</td>`).join('')}</tr>`);
  let labels = 0;
  const body = model.rows.map((row) => {
    if (row === 'ellipsis') {
      return `<tr class="lb-ellipsis">${model.index ? '<th>…</th>' : ''}${model.columns.map(() => '<td>…</td>').join('')}</tr>`;
    }
    const label = model.index ? `<th>${text(model.index[labels++] ?? '')}</th>` : '';
    const cells = row.map((cell, c) => {
      if (badges.has(c) && cell !== '') return `<td>${badge(cell)}</td>`;
      return isNumeric(cell) ? `<td>${text(cell)}</td>` : `<td class="lb-text">${text(cell)}</td>`;
    });
    return `<tr>${label}${cells.join('')}</tr>`;
  });
  const caption = model.caption ? `<div class="lb-caption">${escapeHtml(model.caption)}</div>` : '';
  return `<div class="lb-scroll"><table class="lb-table"><thead>${head.join('')}</thead><tbody>${body.join('')}</tbody></table></div>${caption}`;
}

/** Aligned columns; wide tables are cut at `width` characters on a terminal, left whole elsewhere. */
export function textTable(model: TableModel, width?: number): string {
  const lead = model.index ? [''] : [];
  const lines: string[][] = [[...lead, ...model.columns]];
  if (model.dtypes) lines.push([...lead, ...model.dtypes]);
  let labels = 0;
  for (const row of model.rows) {
    if (row === 'ellipsis') lines.push([...(model.index ? ['…'] : []), ...model.columns.map(() => '…')]);
    else lines.push([...(model.index ? [model.index[labels++] ?? ''] : []), ...row]);
  }
  const cells = lines.map((line) => line.map((c) => truncate(c.replace(/\s+/g, ' '), CELL_CHARS)));
  const widths = cells[0].map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  const out = cells.map((line) => {
    const text = line.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
    return width !== undefined && text.length > width ? `${text.slice(0, Math.max(1, width - 1))}…` : text;
  });
  if (model.caption) out.push(model.caption);
  return out.join('\n');
}
