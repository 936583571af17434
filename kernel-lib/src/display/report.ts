/** An HTML report of runs: plotly.js inline or from a file beside it; no network needed to open it. */
import type { Figure } from '../plots/figure';
import type { RunDiff } from '../query/diff';
import type { RunSummary } from '../query/search';
import { formatTime } from './format';
import { environmentHtml, type RunEnvironment } from './environment';
import { figureFragment, htmlDocument, type LibraryPlacement } from './plotly';
import { escapeHtml } from './table';
import { diffView, summariesView } from './views';

export interface ReportSection {
  title: string;
  /** The chart, or null with a note saying why there is none. */
  figure: Figure | null;
  note?: string;
}

export interface ReportInput {
  title: string;
  summaries: readonly RunSummary[];
  /** The runs' diff (two or more runs), else null. */
  diff: RunDiff | null;
  sections: readonly ReportSection[];
  /** Each run's recorded environment, shown as a key/value table (and then left out of the diff). */
  environments?: readonly RunEnvironment[];
  /** When the report was made (ms since the epoch); shown in the header. */
  createdAt?: number;
  /** plotly.js inline (default: one self-contained file) or from a file beside the report. */
  library?: LibraryPlacement;
}

export function reportHtml(input: ReportInput): string {
  const ids = input.summaries.map((s) => s.id);
  const header = [
    `<h2>${escapeHtml(input.title)}</h2>`,
    `<div class="lb-caption">${ids.length} run${ids.length === 1 ? '' : 's'} (${escapeHtml(ids.map((id) => `#${id}`).join(', '))})` +
      `${input.createdAt !== undefined ? ` · made ${escapeHtml(formatTime(input.createdAt))} UTC` : ''} · labbook</div>`,
  ];
  const body = [
    ...header,
    '<h3 class="lb-title">Runs</h3>',
    summariesView(input.summaries).html(),
    ...(input.diff ? ['<h3 class="lb-title">What differs</h3>', diffView(input.environments ? { ...input.diff, env: {} } : input.diff).html()] : []),
    ...(input.environments ? ['<h3 class="lb-title">Environment</h3>', environmentHtml(input.environments)] : []),
    ...input.sections.flatMap((s, i) => [
      `<h3 class="lb-title">${escapeHtml(s.title)}</h3>`,
      s.note ? `<div class="lb-caption">${escapeHtml(s.note)}</div>` : '',
      s.figure ? figureFragment(s.figure, { id: `labbook-report-fig-${i + 1}-${slug(s.title)}` }) : '',
    ]),
  ];
  return htmlDocument(input.title, body.filter(Boolean).join('\n'), input.library);
}

/** Stable ids, so a report of the same runs is the same file. */
function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'figure';
}
