/** `labbook report`: an HTML file with the runs, their diff and charts; plotly.js beside it, or inline with --inline. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeLibraryBeside } from '../../display/plotly';
import { reportHtml, type ReportSection } from '../../display/report';
import { LabbookError } from '../../errors';
import { learningCurves, leaderboard, parallelAxes, parallelCoordinates, runLabel } from '../../plots';
import { diffRuns, metricHistories, searchRuns, type RunSummary } from '../../query';
import { parse, runIds } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';
import { localOnly } from '../team-store';

const usage = 'labbook report [--experiment NAME] [--where EXPR] [ID...] -o FILE.html [--inline] [--metric NAME] [--db PATH] [--json]';

/** Past this many runs a diff or an overlay of curves stops being readable; the rest is still drawn. */
const MAX_OVERLAY = 20;

/** Keys drawn as learning curves, where logged, in panel order: per-epoch train and validation loss and accuracy. */
const CURVE_KEYS = ['loss', 'val_loss', 'accuracy', 'val_accuracy', 'acc', 'val_acc'];

/** The metric ranked by default: the first of these a run logged. */
const RANKED = ['val_accuracy', 'val_acc', 'accuracy', 'acc', 'val_loss', 'loss'];

export const report: Command = {
  name: 'report',
  summary: 'write one standalone HTML report of runs: table, diff, learning curves, leaderboard',
  usage,
  help: [
    'plotly.js (~10 MB) is written once beside the report as plotly-VERSION.js, shared by every report in',
    'that folder, so each report stays small; --inline puts it in the report for one self-contained file.',
  ].join('\n'),
  run(argv) {
    const { values, positionals } = parse(
      argv,
      { experiment: { type: 'string' }, where: { type: 'string' }, output: { type: 'string', short: 'o' }, metric: { type: 'string' }, inline: { type: 'boolean', default: false } },
      usage,
      { name: 'run id', min: 0, max: Infinity },
    );
    if (!values.output) throw new LabbookError('INVALID_ARGUMENT', `Missing \`-o FILE.html\`: expected the report's output file, received none. Usage: ${usage}`);
    const ids = positionals.length ? runIds(positionals, usage) : null;
    if (ids && (values.experiment !== undefined || values.where !== undefined)) {
      throw new LabbookError('INVALID_ARGUMENT', `Invalid arguments: expected run ids or --experiment/--where, received both. Usage: ${usage}`);
    }
    const file = resolve(values.output);
    localOnly('report', values.db, 'Team run ids are not local ids and a report reads run data from a local registry: report from the registry that recorded the runs (--db .labbook/labbook.db, or LABBOOK_LOCAL_DB; `labbook sync` pushes them to the team store).');
    return withRegistry(values.db, (registry) => {
      const summaries = ids ? byIds(searchRuns(registry, { where: `id IN (${ids.join(', ')})` }), ids) : searchRuns(registry, { experiment: values.experiment, where: values.where, sort: 'id' });
      if (summaries.length === 0) {
        const asked = values.experiment !== undefined ? ` of experiment ${JSON.stringify(values.experiment)}` : '';
        throw new LabbookError('NOT_FOUND', `No runs matched${asked}${values.where ? ` where ${values.where}` : ''}: expected at least one run, received none. List runs with \`labbook runs\`.`);
      }
      const chosen = summaries.map((s) => s.id);
      const overlay = chosen.slice(0, MAX_OVERLAY);
      const metric = rankedMetric(summaries, values.metric);
      const sections: ReportSection[] = [learningCurveSection(registry, summaries.slice(0, MAX_OVERLAY), chosen.length > MAX_OVERLAY)];
      if (metric) {
        sections.push({ title: `Leaderboard: ${metric}`, figure: leaderboard(summaries, { metric, top: MAX_OVERLAY }) });
        sections.push(...parallelSections(summaries, metric));
      } else {
        sections.push({ title: 'Leaderboard', figure: null, note: 'These runs logged no metrics.' });
      }
      const title = values.experiment !== undefined ? `labbook report: ${values.experiment}` : `labbook report: runs ${chosen.map((id) => `#${id}`).join(', ')}`;
      mkdirSync(dirname(file), { recursive: true });
      const html = reportHtml({
        title: title.length > 120 ? `${title.slice(0, 117)}...` : title,
        summaries,
        diff: overlay.length >= 2 ? diffRuns(registry, overlay) : null,
        sections,
        environments: chosen.map((id) => ({ id, env: registry.getRun(id).env })),
        createdAt: Date.now(),
        library: values.inline ? 'inline' : { src: writeLibraryBeside(file) },
      });
      writeFileSync(file, html);
      if (values.json) printJson({ file, runs: chosen });
      else print(file);
      return 0;
    });
  },
};

/** The summaries in the order the ids were given; an id with no run is named. */
function byIds(found: RunSummary[], ids: number[]): RunSummary[] {
  const byId = new Map(found.map((s) => [s.id, s]));
  const missing = [...new Set(ids.filter((id) => !byId.has(id)))];
  if (missing.length) {
    throw new LabbookError('NOT_FOUND', `No run${missing.length > 1 ? 's' : ''} with id ${missing.join(', ')} in this registry: expected the ids of recorded runs. List them with \`labbook runs\`.`);
  }
  return [...new Set(ids)].map((id) => byId.get(id)!);
}

/**
 * Parallel coordinates over the runs with the metric: one figure when their configs share keys,
 * else one per experiment, since experiments with different configs have no common axes (the
 * union of keys leaves every run out). Together they draw the runs the leaderboard ranks.
 */
function parallelSections(summaries: readonly RunSummary[], metric: string): ReportSection[] {
  const title = 'Parameters and result';
  const ranked = summaries.filter((s) => typeof s.metrics[metric] === 'number');
  const keySets = new Map<string, { [key: string]: true }>();
  for (const s of ranked) flatConfig(s.config, '', keySets.get(s.experiment) ?? keySets.set(s.experiment, {}).get(s.experiment));
  const groups = new Set([...keySets.values()].map((keys) => JSON.stringify(Object.keys(keys).sort()))).size > 1 ? [...keySets.keys()].map((e) => [e, summaries.filter((s) => s.experiment === e)] as const) : [[null, summaries] as const];
  return groups.map(([experiment, runs]) => {
    const named = experiment === null ? title : `${title}: ${experiment}`;
    return parallelAxes(runs, metric).length
      ? { title: named, figure: parallelCoordinates(runs, { metric }) }
      : { title: named, figure: null, note: 'These runs share every config value; no parallel coordinates to draw.' };
  });
}

/** Config keys as dotted paths (`model.units`), as the runs table and the axes name them. */
function flatConfig(config: object, prefix = '', out: { [key: string]: true } = {}): { [key: string]: true } {
  for (const [key, value] of Object.entries(config)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) flatConfig(value, `${prefix}${key}.`, out);
    else out[`${prefix}${key}`] = true;
  }
  return out;
}

function rankedMetric(summaries: readonly RunSummary[], asked: string | undefined): string | null {
  const logged = [...new Set(summaries.flatMap((s) => Object.keys(s.metrics)))].sort();
  if (asked !== undefined) {
    if (!logged.includes(asked)) {
      throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`--metric\`: expected one of ${logged.map((k) => JSON.stringify(k)).join(', ') || 'the metrics these runs logged (none)'}, received ${JSON.stringify(asked)}.`);
    }
    return asked;
  }
  return RANKED.find((k) => logged.includes(k)) ?? logged[0] ?? null;
}

function learningCurveSection(registry: Parameters<typeof metricHistories>[0], summaries: readonly RunSummary[], truncated: boolean): ReportSection {
  const title = 'Learning curves';
  // learningCurves draws panels in the order of the keys asked: loss, then accuracy, as people read a log.
  const logged = new Set(summaries.flatMap((s) => Object.keys(s.metrics)));
  const keys = CURVE_KEYS.filter((k) => logged.has(k));
  if (keys.length === 0) return { title, figure: null, note: 'These runs logged no loss or accuracy.' };
  const histories = metricHistories(registry, summaries.map((s) => s.id), keys);
  const labels = Object.fromEntries(summaries.map((s) => [s.id, runLabel(s)]));
  const note = truncated ? `The first ${MAX_OVERLAY} runs; every run is in the table above.` : undefined;
  return { title, figure: learningCurves(histories, { labels }), note };
}
