/** Charts over many runs' summaries: a metric against a param, parallel coordinates, a leaderboard. */
import { invalidArgument } from '../errors';
import type { RunSummary } from '../query/search';
import { runsTable, type Cell } from '../query/table';
import { axis, baseLayout, checkOptions, checkString, colorAt, higherIsBetter, MAX_DISTINCT, unknownName, type Figure } from './figure';

export interface MetricVsParamOptions {
  /** A config key, flattened with dots (`lr`, `model.units`); a `config.` prefix is accepted. */
  param: string;
  /** A metric's latest value (`val_accuracy`); a `metrics.` prefix is accepted. */
  metric: string;
}

export interface ParallelCoordinatesOptions {
  /** Config keys to use as axes; default: every key whose value differs between the runs (at most 8). */
  params?: readonly string[];
  metric: string;
}

export interface LeaderboardOptions {
  metric: string;
  /** How many runs to show (default 10). */
  top?: number;
  /** Lower is better; default guessed from the name (losses and errors ascending, accuracies not). */
  ascending?: boolean;
}

/** A table of the runs with one column per flattened config key and latest metric. */
class Columns {
  private readonly table;
  readonly configKeys: string[];
  readonly metricKeys: string[];

  constructor(readonly summaries: readonly RunSummary[]) {
    if (!Array.isArray(summaries) || summaries.some((s) => s === null || typeof s !== 'object' || typeof s.id !== 'number')) {
      throw invalidArgument('summaries', 'an array of RunSummary (from searchRuns)', summaries);
    }
    this.table = runsTable(summaries);
    this.configKeys = this.table.columns.filter((c) => c.startsWith('config.')).map((c) => c.slice(7));
    this.metricKeys = this.table.columns.filter((c) => c.startsWith('metrics.')).map((c) => c.slice(8));
  }

  param(option: string, name: unknown): { key: string; values: Cell[] } {
    const key = checkString(option, name, 'a config key such as "lr"').replace(/^config\./, '');
    if (!this.configKeys.includes(key)) throw unknownName(option, 'a config key', key, this.configKeys);
    return { key, values: this.column(`config.${key}`) };
  }

  metric(name: unknown): { key: string; values: (number | null)[] } {
    const key = checkString('metric', name, 'a metric name such as "val_loss"').replace(/^metrics\./, '');
    if (!this.metricKeys.includes(key)) throw unknownName('metric', 'a metric', key, this.metricKeys);
    return { key, values: this.column(`metrics.${key}`).map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null)) };
  }

  private column(name: string): Cell[] {
    const c = this.table.columns.indexOf(name);
    return this.table.rows.map((row) => row[c]);
  }
}

export function runLabel(s: RunSummary): string {
  return s.name ? `#${s.id} ${s.name}` : `#${s.id}`;
}

/** Each run's latest `metric` against its `param`: numbers on a linear (or, over 2+ decades, log) axis, text as categories. */
export function metricVsParam(summaries: readonly RunSummary[], options: MetricVsParamOptions): Figure {
  const opts = checkOptions(options);
  const columns = new Columns(summaries);
  const param = columns.param('param', opts.param);
  const metric = columns.metric(opts.metric);
  const keep = summaries.map((_, i) => i).filter((i) => param.values[i] !== null && metric.values[i] !== null);
  const categorical = keep.some((i) => typeof param.values[i] !== 'number');
  const x = (i: number) => (categorical ? String(param.values[i]) : (param.values[i] as number));
  const experiments = [...new Set(summaries.map((s) => s.experiment))];
  const data = experiments
    .map((experiment, e) => {
      const rows = keep.filter((i) => summaries[i].experiment === experiment);
      return {
        type: 'scatter',
        mode: 'markers',
        name: experiment,
        x: rows.map(x),
        y: rows.map((i) => metric.values[i]),
        text: rows.map((i) => runLabel(summaries[i])),
        marker: { size: 10, color: colorAt(e) },
      };
    })
    .filter((trace) => trace.x.length > 0);
  const numbers = keep.map((i) => param.values[i]).filter((v): v is number => typeof v === 'number');
  const logScale = !categorical && numbers.length > 1 && Math.min(...numbers) > 0 && Math.max(...numbers) / Math.min(...numbers) >= 100;
  const xaxis = categorical
    ? axis(param.key, { type: 'category', categoryorder: 'array', categoryarray: [...new Set(keep.map((i) => String(param.values[i])))].sort() })
    : axis(param.key, logScale ? { type: 'log' } : {});
  const layout = baseLayout(`${metric.key} vs ${param.key}`, { xaxis, yaxis: axis(metric.key), showlegend: experiments.length > 1 });
  if (keep.length === 0) layout.annotations = [noData(`No run has both ${param.key} and ${metric.key}`)];
  return { data, layout };
}

/**
 * One axis per param (text params as categorical ticks) and the metric last, lines coloured by it.
 * Default axes are those most runs share (see parallelAxes), with an `experiment` axis first when
 * the runs drawn span several; runs lacking a value are left out and counted in the title.
 */
export function parallelCoordinates(summaries: readonly RunSummary[], options: ParallelCoordinatesOptions): Figure {
  const opts = checkOptions(options);
  const columns = new Columns(summaries);
  const metric = columns.metric(opts.metric);
  if (opts.params !== undefined && (!Array.isArray(opts.params) || opts.params.length === 0)) {
    throw invalidArgument('params', 'a non-empty array of config keys', opts.params);
  }
  const given = opts.params as string[] | undefined;
  const params = (given ?? defaultAxes(columns, metric.values)).map((p) => columns.param('params', p));
  const withMetric = summaries.map((_, i) => i).filter((i) => metric.values[i] !== null);
  // A line needs a value on every axis.
  const keep = withMetric.filter((i) => params.every((p) => p.values[i] !== null));
  if (given === undefined && new Set(keep.map((i) => summaries[i].experiment)).size > 1) {
    params.unshift({ key: 'experiment', values: summaries.map((s) => s.experiment) });
  }
  const dimensions: object[] = params.map((p) => {
    const values = keep.map((i) => p.values[i]);
    if (values.every((v) => typeof v === 'number')) return numericDimension(p.key, values as number[]);
    const categories = [...new Set(values.map(String))].sort();
    return {
      label: p.key,
      values: values.map((v) => categories.indexOf(String(v))),
      tickvals: categories.map((_, i) => i),
      ticktext: categories,
      range: [0, Math.max(1, categories.length - 1)],
    };
  });
  const metricValues = keep.map((i) => metric.values[i] as number);
  dimensions.push({ label: metric.key, values: metricValues });
  const lacking = [
    withMetric.length < summaries.length ? `${summaries.length - withMetric.length} without ${metric.key}` : '',
    keep.length < withMetric.length ? `${withMetric.length - keep.length} without a value for ${params.filter((p) => withMetric.some((i) => p.values[i] === null)).map((p) => p.key).join(' or ')}` : '',
  ].filter(Boolean);
  const left = summaries.length - keep.length;
  const title = `Parallel coordinates: ${metric.key}${left ? ` (${keep.length} of ${summaries.length} runs; left out: ${lacking.join(', ')})` : ''}`;
  return {
    data: [
      {
        type: 'parcoords',
        dimensions,
        line: { color: metricValues, colorscale: 'Viridis', reversescale: !higherIsBetter(metric.key), showscale: true, colorbar: { title: { text: metric.key } } },
      },
    ],
    layout: baseLayout(title, { margin: { l: 80, r: 80, t: 90, b: 40 } }),
  };
}

/**
 * The default axes of parallelCoordinates: config keys whose value differs among the runs with
 * `metric`, most widely logged first, each taken only while the runs having every axis taken
 * stay a majority of them (at most 8). Runs of experiments with different configs share few
 * keys: axes of one experiment alone would leave every other run out, as a union of keys would
 * leave out every run. Empty when these runs share every config value.
 */
export function parallelAxes(summaries: readonly RunSummary[], metric: string): string[] {
  const columns = new Columns(summaries);
  return axesFor(columns, columns.metric(metric).values);
}

function axesFor(columns: Columns, metric: readonly (number | null)[]): string[] {
  const runs = columns.summaries.map((_, i) => i).filter((i) => metric[i] !== null);
  const values = new Map(columns.configKeys.map((key) => [key, columns.param('params', key).values]));
  const has = (key: string) => runs.filter((i) => values.get(key)![i] !== null).length;
  const varies = (key: string, among: number[]) => new Set(among.map((i) => JSON.stringify(values.get(key)![i]))).size > 1;
  const axes: string[] = [];
  let kept = runs;
  for (const key of [...columns.configKeys].sort((a, b) => has(b) - has(a) || (a < b ? -1 : 1))) {
    if (axes.length === 8) break;
    const next = kept.filter((i) => values.get(key)![i] !== null);
    if (next.length * 2 >= runs.length && varies(key, next)) {
      axes.push(key);
      kept = next;
    }
  }
  // Chosen by coverage, shown by name.
  return axes.sort();
}

function defaultAxes(columns: Columns, metric: readonly (number | null)[]): string[] {
  const axes = axesFor(columns, metric);
  if (axes.length === 0) {
    throw invalidArgument('params', 'config keys to use as axes (these runs share every config value)', undefined, `Pass params explicitly, e.g. ${JSON.stringify(columns.configKeys.slice(0, 2))}.`);
  }
  return axes;
}

/** The best `top` runs by a metric, as horizontal bars, best at the top. */
export function leaderboard(summaries: readonly RunSummary[], options: LeaderboardOptions): Figure {
  const opts = checkOptions(options);
  const columns = new Columns(summaries);
  const metric = columns.metric(opts.metric);
  const top = opts.top ?? 10;
  if (!Number.isSafeInteger(top) || (top as number) < 1) throw invalidArgument('top', 'a positive integer', opts.top);
  if (opts.ascending !== undefined && typeof opts.ascending !== 'boolean') throw invalidArgument('ascending', 'a boolean', opts.ascending);
  const ascending = (opts.ascending as boolean | undefined) ?? !higherIsBetter(metric.key);
  // Each run its own colour (as in the learning curves) up to 20 runs; past that, its experiment's.
  const experiments = [...new Set(summaries.map((s) => s.experiment))];
  const ranked = summaries
    .map((s, i) => ({ s, i, v: metric.values[i] }))
    .filter((r): r is { s: RunSummary; i: number; v: number } => r.v !== null)
    .sort((a, b) => (ascending ? a.v - b.v : b.v - a.v) || a.s.id - b.s.id)
    .slice(0, top as number);
  const layout = baseLayout(`Leaderboard: ${metric.key} (${ascending ? 'lower' : 'higher'} is better)`, {
    height: 140 + 30 * Math.max(1, ranked.length),
    xaxis: axis(metric.key),
    yaxis: axis('run', { type: 'category', autorange: 'reversed', automargin: true }),
    showlegend: false,
  });
  if (ranked.length === 0) layout.annotations = [noData(`No run has a value for ${metric.key}`)];
  return {
    data: [
      {
        type: 'bar',
        orientation: 'h',
        x: ranked.map((r) => r.v),
        y: ranked.map((r) => runLabel(r.s)),
        text: ranked.map((r) => formatValue(r.v)),
        textposition: 'auto',
        marker: { color: ranked.map((r) => (summaries.length <= MAX_DISTINCT ? colorAt(r.i) : colorAt(experiments.indexOf(r.s.experiment)))) },
      },
    ],
    layout,
  };
}

/** Config keys (flattened) whose value is not the same in every run: the axes worth plotting. */
export function varyingParams(summaries: readonly RunSummary[]): string[] {
  const columns = new Columns(summaries);
  return columns.configKeys.filter((key) => new Set(columns.param('params', key).values.map((v) => JSON.stringify(v))).size > 1);
}

/** Parcoords has no log axes: a param spanning two decades or more (a learning rate) is drawn as log10 with its values as ticks. */
function numericDimension(label: string, values: number[]): object {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (!(values.length > 1 && lo > 0 && hi / lo >= 100)) return { label, values };
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  const decades = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  return {
    label: `${label} (log)`,
    values: values.map((v) => Math.log10(v)),
    tickvals: decades,
    ticktext: decades.map((d) => formatValue(10 ** d)),
    range: [first, last],
  };
}

function noData(text: string): object {
  return { text, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5, showarrow: false, font: { size: 14 } };
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}
