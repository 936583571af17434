/** What show() renders, as HTML and as text: frames, run cards, run listings and run diffs. */
import type { RunDiff } from '../query/diff';
import type { RunSummary } from '../query/search';
import { runsTable } from '../query/table';
import type { RunRecord } from '../registry/types';
import { formatCell, formatDuration, formatTime } from './format';
import { badge, escapeHtml, htmlTable, STYLE, textTable, type Row, type TableModel } from './table';

/** A rendering in both forms (HTML without the styles: wrap() adds them); text takes the terminal width when there is one. */
export interface View {
  html(): string;
  text(width?: number): string;
}

export interface FrameLike {
  columns: string[];
  index: (string | number)[];
  dtypes: string[];
  values: unknown[];
  ndim?: number;
}

/** A danfo DataFrame or Series, recognised by shape rather than class so danfo is never loaded here. */
export function isFrame(x: unknown): x is FrameLike {
  if (x === null || typeof x !== 'object') return false;
  const f = x as FrameLike;
  const name = (x as object).constructor?.name;
  return (name === 'DataFrame' || name === 'Series') && Array.isArray(f.columns) && Array.isArray(f.index) && Array.isArray(f.dtypes) && Array.isArray(f.values);
}

export function isRunRecord(x: unknown): x is RunRecord {
  const r = x as RunRecord;
  return r !== null && typeof r === 'object' && typeof r.id === 'number' && typeof r.configHash === 'string' && Array.isArray(r.checkpoints) && typeof r.params === 'object';
}

export function isRunSummaries(x: unknown): x is RunSummary[] {
  return (
    Array.isArray(x) &&
    x.length > 0 &&
    x.every(
      (s) =>
        s !== null &&
        typeof s === 'object' &&
        typeof s.id === 'number' &&
        typeof s.experiment === 'string' &&
        typeof s.config === 'object' &&
        typeof s.metrics === 'object' &&
        Object.values(s.metrics as object).every((v) => v === null || typeof v === 'number'),
    )
  );
}

export function isRunDiff(x: unknown): x is RunDiff {
  const d = x as RunDiff;
  return d !== null && typeof d === 'object' && Array.isArray(d.runs) && typeof d.config === 'object' && typeof d.metrics === 'object' && typeof d.checkpointEqual === 'boolean';
}

export interface FrameOptions {
  /** Rows shown before head/tail elision (default 20). */
  maxRows?: number;
  /** Columns shown before elision (default 20). */
  maxColumns?: number;
}

/** Head and tail with an ellipsis row when longer than maxRows; wide frames lose middle columns. */
export function frameView(frame: FrameLike, options: FrameOptions = {}): View {
  const maxRows = Math.max(2, options.maxRows ?? 20);
  const maxColumns = Math.max(2, options.maxColumns ?? 20);
  const matrix: unknown[][] = frame.ndim === 1 || !frame.values.every(Array.isArray) ? frame.values.map((v) => [v]) : (frame.values as unknown[][]);
  const n = matrix.length;
  const width = frame.columns.length;
  const rowsShown = n > maxRows ? [...range(0, Math.ceil(maxRows / 2)), -1, ...range(n - Math.floor(maxRows / 2), n)] : range(0, n);
  const colsShown = width > maxColumns ? [...range(0, Math.ceil(maxColumns / 2)), -1, ...range(width - Math.floor(maxColumns / 2), width)] : range(0, width);
  const pick = <T>(items: readonly T[], dots: T) => colsShown.map((c) => (c < 0 ? dots : items[c]));
  const rows: Row[] = rowsShown.map((r) => (r < 0 ? 'ellipsis' : pick(matrix[r].map(frameCell), '…')));
  const model: TableModel = {
    columns: pick(frame.columns.map(String), '…'),
    dtypes: pick(frame.dtypes.map(String), ''),
    index: rowsShown.filter((r) => r >= 0).map((r) => String(frame.index[r])),
    rows,
    caption: `${n} rows × ${width} columns`,
  };
  return { html: () => htmlTable(model), text: (w) => textTable(model, w) };
}

/** One run: identity, status, seed, config, latest metrics, datasets, checkpoints (and the error). */
export function runCardView(run: RunRecord): View {
  const took = run.endedAt === null ? '' : formatDuration((run.endedAt - run.startedAt) / 1000);
  const sections: { title: string; model: TableModel }[] = [];
  const params = Object.entries(run.params);
  if (params.length) sections.push({ title: 'config', model: { columns: ['key', 'value'], rows: params.map(([k, v]) => [k, formatCell(v)]) } });
  const metrics = Object.entries(run.metrics);
  if (metrics.length) {
    sections.push({
      title: 'metrics (latest)',
      model: { columns: ['key', 'value', 'step', 'min', 'max', 'points'], rows: metrics.map(([k, m]) => [k, ...[m.value, m.step, m.min, m.max, m.count].map(formatCell)]) },
    });
  }
  const tags = Object.entries(run.tags);
  if (tags.length) sections.push({ title: 'tags', model: { columns: ['key', 'value'], rows: tags.map(([k, v]) => [k, v]) } });
  if (run.datasets.length) {
    sections.push({
      title: 'datasets',
      model: { columns: ['name', 'rows', 'columns', 'sha256', 'source'], rows: run.datasets.map((d) => [d.name, String(d.rows), String(d.columns), d.sha256.slice(0, 16), d.source ?? '']) },
    });
  }
  if (run.checkpoints.length) {
    sections.push({ title: 'checkpoints', model: { columns: ['step', 'bytes', 'sha256'], rows: run.checkpoints.map((c) => [String(c.step), String(c.bytes), c.sha256]) } });
  }
  const name = run.name ? ` (${run.name})` : '';
  return {
    html: () => {
      const meta = [
        ['seed', String(run.seed)],
        ['started', formatTime(run.startedAt)],
        ['took', took || '-'],
        ['config', run.configHash.slice(0, 12)],
        ['code', run.codeHash?.slice(0, 12) ?? '-'],
      ];
      const parts = [
        `<h3 class="lb-title">run ${run.id} · ${escapeHtml(run.experiment)}${escapeHtml(name)} ${badge(run.status)}</h3>`,
        `<div class="lb-meta">${meta.map(([k, v]) => `<span>${k} <code>${escapeHtml(v)}</code></span>`).join('')}</div>`,
        run.error ? `<pre class="lb-error">${escapeHtml(run.error)}</pre>` : '',
        ...sections.map((s) => `<h4>${escapeHtml(s.title)}</h4>${htmlTable(s.model)}`),
      ];
      return `<div class="lb-card">${parts.join('')}</div>`;
    },
    text: (w) => {
      const lines = [
        `run ${run.id}  ${run.experiment}${name}  ${run.status}`,
        `  seed ${run.seed}   started ${formatTime(run.startedAt)}   took ${took || '-'}`,
        `  config ${run.configHash.slice(0, 12)}   code ${run.codeHash?.slice(0, 12) ?? '-'}`,
      ];
      if (run.error) lines.push(`  error: ${run.error.split('\n')[0]}`);
      for (const s of sections) lines.push('', s.title, indent(textTable(s.model, w === undefined ? undefined : w - 2)));
      return lines.join('\n');
    },
  };
}

/** Run summaries as the runsTable columns (times readable, statuses as badges). */
export function summariesView(summaries: readonly RunSummary[]): View {
  const table = runsTable(summaries);
  const started = table.columns.indexOf('started_at');
  const model: TableModel = {
    columns: table.columns,
    rows: table.rows.map((row) => row.map((cell, c) => (c === started ? formatTime(cell as number) : formatCell(cell)))),
    badgeColumns: [table.columns.indexOf('status')],
    caption: `${summaries.length} run${summaries.length === 1 ? '' : 's'}`,
  };
  return { html: () => htmlTable(model), text: (w) => textTable(model, w) };
}

/** A diff section by section: config, environment, datasets, seed and code, metrics, checkpoints. */
export function diffView(diff: RunDiff): View {
  const columns = ['', ...diff.runs.map((id) => `run ${id}`)];
  const sections: { title: string; model: TableModel }[] = [];
  const add = (title: string, rows: string[][]) => rows.length && sections.push({ title, model: { columns, rows } });
  add('config', Object.entries(diff.config).map(([k, v]) => [k, ...v.map(formatCell)]));
  add('environment', Object.entries(diff.env).map(([k, v]) => [k, ...v.map(formatCell)]));
  add('datasets', Object.entries(diff.datasets).map(([k, v]) => [k, ...v.map((f) => (f ? `${f.sha256.slice(0, 12)} ${f.rows}×${f.columns}` : ''))]));
  const identity = [['seed', ...diff.seed.map(String)]];
  if (new Set(diff.codeHash).size > 1) identity.push(['code hash', ...diff.codeHash.map((h) => h?.slice(0, 12) ?? '')]);
  add('seed and code', identity);
  add(
    'metrics (latest; delta vs first run)',
    Object.entries(diff.metrics).map(([k, m]) => [
      k,
      ...m.values.map((v, i) => (i === 0 || v === null ? formatCell(v) : `${formatCell(v)} (${(m.deltas[i] ?? 0) >= 0 ? '+' : ''}${formatCell(m.deltas[i])})`)),
    ]),
  );
  add('checkpoints', [['final sha256', ...diff.checkpoints.map((h) => h?.slice(0, 16) ?? '')]]);
  const verdict = diff.checkpointEqual ? 'checkpoints: identical' : 'checkpoints: differ';
  return {
    html: () => `${sections.map((s) => `<h4>${escapeHtml(s.title)}</h4>${htmlTable(s.model)}`).join('')}<div><b>${verdict}</b></div>`,
    text: (w) => [...sections.flatMap((s) => [s.title, indent(textTable(s.model, w === undefined ? undefined : w - 2)), '']), verdict].join('\n'),
  };
}

/** HTML made self-contained for one notebook output: the scoped styles and a root element. */
export function wrap(content: string): string {
  return `<div class="lb">${STYLE}${content}</div>`;
}

function frameCell(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return formatCell(value);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}
