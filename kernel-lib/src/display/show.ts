/** show(): rich output in a tslab notebook, text (or an HTML file for figures) everywhere else. */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { invalidArgument } from '../errors';
import type { Figure } from '../plots/figure';
import { findProjectRoot } from '../repro/root';
import { figureFragment, htmlDocument } from './plotly';
import { staticSvg } from './static';
import { isRecordRows, isScalarRecord, RECORD_DIGITS, recordRowsView, scalarRecordView } from './records';
import { currentTarget, emit, type Sink, type Target, type TextStream } from './sink';
import { escapeHtml } from './table';
import { diffView, frameView, isFrame, isRunDiff, isRunRecord, isRunSummaries, runCardView, summariesView, wrap, type View } from './views';

export interface ShowOptions {
  /** Where a figure's HTML file goes outside a notebook (default: `.labbook/figures/figure-<hash>.html` at the project root). */
  file?: string;
  /** A title for a figure's HTML page. */
  title?: string;
  /** Rows of a DataFrame shown before head/tail elision (default 20). */
  maxRows?: number;
  /** Columns of a DataFrame shown before elision (default 20). */
  maxColumns?: number;
  /** Significant digits of numbers in a table of plain objects or key/value pairs (default 4). */
  digits?: number;
  /** Put plotly.js in this figure's output even if an earlier one carried it (after clearing that cell). */
  embedPlotly?: boolean;
  /** Text output outside a notebook (default process.stdout; a figure's "written to" notice goes to process.stderr unless this is given). */
  stream?: TextStream;
}

/**
 * Shows a danfo DataFrame/Series, a RunRecord, RunSummary[], a RunDiff, a plotly Figure, rows of
 * plain objects (SQL results) or one plain object of scalars (metrics) as tables, or any value.
 * Returns the HTML file written for a figure outside a notebook, else undefined.
 */
export function show(x: unknown, options: ShowOptions = {}): string | undefined {
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an options object', options);
  return showOn(currentTarget(options.stream), x, options);
}

export function isFigure(x: unknown): x is Figure {
  const f = x as Figure;
  return f !== null && typeof f === 'object' && Array.isArray(f.data) && f.layout !== null && typeof f.layout === 'object' && !Array.isArray(f.layout);
}

/** show() on an explicit target: the seam tests drive with a recording sink. */
export function showOn(target: Target, x: unknown, options: ShowOptions = {}): string | undefined {
  if (isFigure(x)) return showFigure(target, x, options);
  const view = viewOf(x, options);
  if (target.kind === 'notebook') {
    if (view) emit(target.sink, { 'text/html': wrap(view.html()), 'text/plain': view.text() });
    else target.sink.raw('text/plain', inspect(x, { depth: 4 }));
    return undefined;
  }
  const width = target.kind === 'terminal' ? target.stream.columns : undefined;
  const text = view ? view.text(width) : inspect(x, { depth: 4, colors: target.kind === 'terminal' });
  target.stream.write(text.endsWith('\n') ? text : `${text}\n`);
  return undefined;
}

function viewOf(x: unknown, options: ShowOptions): View | null {
  if (isFrame(x)) return frameView(x, options);
  if (isRunRecord(x)) return runCardView(x);
  if (isRunSummaries(x)) return summariesView(x);
  if (isRunDiff(x)) return diffView(x);
  if (isRecordRows(x)) return recordRowsView(x, digitsOf(options));
  if (isScalarRecord(x)) return scalarRecordView(x, digitsOf(options));
  return null;
}

function digitsOf(options: ShowOptions): number {
  const digits = options.digits ?? RECORD_DIGITS;
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) throw invalidArgument('digits', 'an integer from 1 to 17', options.digits);
  return digits;
}

/** Per process (one kernel session): shared through globalThis so two copies of labbook agree. */
const EMBEDDED = Symbol.for('labbook.display.plotlyEmbedded');

function showFigure(target: Target, figure: Figure, options: ShowOptions): string | undefined {
  if (target.kind === 'notebook') {
    const state = globalThis as { [EMBEDDED]?: boolean };
    const library = options.embedPlotly === true || state[EMBEDDED] !== true;
    emitFigure(target.sink, figure, library);
    state[EMBEDDED] = true;
    return undefined;
  }
  const title = options.title ?? figureTitle(figure);
  // One figure per page, so a fixed element id: the same figure makes the same page (and file name).
  const page = htmlDocument(title, `<h3 class="lb-title">${escapeHtml(title)}</h3>\n${figureFragment(figure, { id: 'labbook-figure' })}`);
  const file = resolve(options.file ?? defaultFigureFile(page));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, page);
  // A diagnostic, not output: on stderr unless the caller named a stream, so a script's stdout stays its own.
  (options.stream ?? process.stderr).write(`figure written to ${file}\n`);
  return file;
}

/**
 * HTML (the static image, replaced by the chart where scripts run), plotly's own MIME type for
 * front ends that render it natively, and the SVG itself for readers that take only images. The
 * SVG goes only in a bundle: a kernel taking one MIME type per message would show it twice.
 */
export function emitFigure(sink: Sink, figure: Figure, library: boolean): void {
  const svg = staticSvg(figure);
  emit(sink, {
    'text/html': wrap(figureFragment(figure, { library, svg })),
    'application/vnd.plotly.v1+json': { data: figure.data, layout: figure.layout },
    ...(sink.bundle ? { 'image/svg+xml': svg } : {}),
  });
}

/**
 * In the project's .labbook folder, not the OS temp dir (where nothing ever removed them), named
 * by the page's content: showing the same figure again rewrites one file instead of adding one.
 */
function defaultFigureFile(page: string): string {
  const hash = createHash('sha256').update(page).digest('hex').slice(0, 16);
  return join(findProjectRoot(), '.labbook', 'figures', `figure-${hash}.html`);
}

function figureTitle(figure: Figure): string {
  const title = (figure.layout as { title?: { text?: unknown } | string }).title;
  const text = typeof title === 'string' ? title : title?.text;
  return typeof text === 'string' && text !== '' ? text : 'labbook figure';
}
