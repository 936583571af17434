/** showSweep(): a sweep's leaderboard, best trial, parameter importance and figures in a notebook (or as text and HTML files); it renders what sweep analysis computes. */
import { invalidArgument } from '../errors';
import { intermediateValues, optimizationHistory, paramSlices, sweepParallelCoordinates } from '../plots/sweep';
import type { Direction } from '../sweep/sampler';
import type { SearchSpace } from '../sweep/space';
import type { Trial } from '../sweep/trial';
import { bestTrial, leaderboard, paramImportance, whyNoBestTrial } from '../sweep/analysis';
import { RECORD_DIGITS, recordRowsView, scalarRecordView } from './records';
import { showOn, type ShowOptions } from './show';
import { currentTarget, emit, type Target } from './sink';
import { escapeHtml } from './table';
import { figureFragment, htmlDocument, type LibraryPlacement } from './plotly';
import type { Figure } from '../plots/figure';
import { wrap, type View } from './views';

/** What showSweep reads: a sweep's definition and its trials (loadSweep's result fits; other fields are ignored). */
export interface ShownSweep {
  /** `intermediate`: the per-epoch metric pruners read (default: `metric`). */
  definition: { space: SearchSpace; objective: { metric: string; direction: Direction; intermediate?: string } };
  trials: readonly Trial[];
}

export interface ShowSweepOptions extends Omit<ShowOptions, 'file' | 'title'> {
  /** Leaderboard rows shown (default 10). */
  limit?: number;
  /** Draw the four figures (default true). */
  figures?: boolean;
}

/**
 * Shows the leaderboard, the best trial (or why there is none), parameter importance (PED-ANOVA,
 * as Optuna's default) and the optimisation history, parallel coordinates, metric-vs-parameter
 * and intermediate-value figures. Returns the HTML files written for the figures outside a notebook.
 */
export function showSweep(summary: ShownSweep, options: ShowSweepOptions = {}): string[] {
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an options object', options);
  return showSweepOn(currentTarget(options.stream), summary, options);
}

/** showSweep() on an explicit target: the seam tests drive with a recording sink. */
export function showSweepOn(target: Target, summary: ShownSweep, options: ShowSweepOptions = {}): string[] {
  const parts = sweepParts(summary, options);
  for (const part of parts.sections) section(target, part.title, part.view, part.note);
  if (options.figures === false) return [];
  const shown = { ...options, file: undefined, title: undefined };
  return parts.figures.map((f) => showOn(target, f, shown)).filter((file): file is string => file !== undefined);
}

/**
 * The same as one standalone HTML page (`labbook sweep show ID --html FILE`): the tables, then the
 * four figures; plotly.js inline or from a file beside the page.
 */
export function sweepPage(summary: ShownSweep, options: { title: string; limit?: number; digits?: number; library?: LibraryPlacement }): string {
  const parts = sweepParts(summary, options);
  const body = [
    `<h2>${escapeHtml(options.title)}</h2>`,
    ...parts.sections.map((p) => `<h4>${escapeHtml(p.title)}</h4>${p.view ? p.view.html() : ''}${p.note ? `<div class="lb-caption">${escapeHtml(p.note)}</div>` : ''}`),
    ...parts.figures.map((f, i) => figureFragment(f, { id: `labbook-sweep-fig-${i + 1}` })),
  ];
  return htmlDocument(options.title, body.join('\n'), options.library);
}

interface SweepParts {
  sections: { title: string; view: View | null; note: string }[];
  figures: Figure[];
}

/** What a sweep shows, computed once by sweep analysis and the plots: tables and figures, not yet placed anywhere. */
function sweepParts(summary: ShownSweep, options: { limit?: number; digits?: number }): SweepParts {
  const { space, metric, direction, trials } = checkSummary(summary);
  const intermediate = typeof summary.definition.objective.intermediate === 'string' ? summary.definition.objective.intermediate : metric;
  const digits = options.digits ?? RECORD_DIGITS;
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) throw invalidArgument('digits', 'an integer from 1 to 17', options.digits);
  const rows = leaderboard(trials, direction, { limit: options.limit ?? 10 }).map((r) => ({
    rank: r.rank,
    trial: r.number,
    state: r.state,
    // A pruned trial is ranked by the last intermediate value it reported, which is not the objective.
    [metric]: r.state === 'pruned' ? null : r.value,
    [`last ${intermediate}`]: r.state === 'pruned' ? r.value : null,
    'pruned at step': r.step,
    ...flat(r.params),
  }));
  const best = bestTrial(trials, direction);
  const importance = Object.entries(paramImportance(space, trials, direction))
    .map(([param, share], i) => ({ param, share, i }))
    .sort((a, b) => b.share - a.share || a.i - b.i)
    .map(({ param, share }) => ({ param, 'importance (PED-ANOVA)': share }));
  const caption = `${trials.length} trial${trials.length === 1 ? '' : 's'}, ${direction} ${metric}`;
  return {
    sections: [
      { title: `Leaderboard (${caption})`, view: rows.length ? recordRowsView(rows, digits) : null, note: rows.length ? '' : 'No trials yet.' },
      { title: 'Best trial', view: best ? scalarRecordView({ trial: best.number, [metric]: best.value, ...flat(best.params) }, digits) : null, note: whyNoBestTrial(trials) ?? '' },
      { title: 'Parameter importance', view: recordRowsView(importance, digits), note: '' },
    ],
    figures: [
      optimizationHistory(trials, direction, { metric }),
      sweepParallelCoordinates(space, trials, direction, { metric }),
      paramSlices(space, trials, { metric }),
      intermediateValues(trials, { metric: intermediate }),
    ],
  };
}

function checkSummary(summary: ShownSweep): { space: SearchSpace; metric: string; direction: Direction; trials: readonly Trial[] } {
  const d = summary?.definition;
  const objective = d?.objective;
  if (d === null || typeof d !== 'object' || objective === null || typeof objective !== 'object' || !Array.isArray(summary.trials)) {
    throw invalidArgument('summary', '{ definition: { space, objective: { metric, direction } }, trials } (what loadSweep returns)', summary);
  }
  if (typeof objective.metric !== 'string' || objective.metric === '') throw invalidArgument('summary.definition.objective.metric', 'a metric name', objective.metric);
  return { space: d.space, metric: objective.metric, direction: objective.direction, trials: summary.trials };
}

type Cell = string | number | boolean | null;

function flat(params: Trial['params']): { [name: string]: Cell } {
  return Object.fromEntries(Object.entries(params ?? {}).map(([k, v]) => [k, v === null || typeof v !== 'object' ? v : JSON.stringify(v)]));
}

function section(target: Target, title: string, view: View | null, note: string): void {
  const html = `<h4>${escapeHtml(title)}</h4>${view ? view.html() : ''}${note ? `<div class="lb-caption">${escapeHtml(note)}</div>` : ''}`;
  if (target.kind === 'notebook') {
    emit(target.sink, { 'text/html': wrap(html), 'text/plain': [title, view?.text() ?? '', note].filter(Boolean).join('\n') });
    return;
  }
  const width = target.kind === 'terminal' ? target.stream.columns : undefined;
  const text = [title, view?.text(width) ?? '', note].filter(Boolean).join('\n');
  target.stream.write(`${text}\n\n`);
}
