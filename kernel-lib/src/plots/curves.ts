/** Learning curves and aligned metric histories: runs overlaid on a shared step/epoch axis. */
import { invalidArgument } from '../errors';
import type { MetricHistories } from '../query/histories';
import type { Logs } from '../train/callbacks';
import { axis, baseLayout, checkOptions, checkString, colorAt, finiteOrNull, MAX_DISTINCT, unknownName, type Figure } from './figure';
import { baseMetric, metricPanels, type MetricPanel } from './panels';

/** One run's epoch logs, as `train()` returns them in `History.epochs`. */
export interface EpochSeries {
  name?: string;
  epochs: readonly Logs[];
}

/** What learningCurves draws from: metricHistories() output, or train() histories (one, or several with names). */
export type CurveInput = MetricHistories | EpochSeries | readonly EpochSeries[];

/** Legend names: by run id (a MetricHistories input), or by position, one per run or history. */
export type CurveLabels = { readonly [runId: number]: string } | readonly string[];

export interface LearningCurveOptions {
  /**
   * Metrics to draw, one panel per base metric in the order first asked: `loss` draws loss and
   * val_loss, `val_loss` only itself, and `['loss', 'val_loss']` is one panel. Default: the keys
   * metricHistories() was asked for, in that order, else every logged metric (loss, accuracy, the rest).
   */
  metrics?: readonly string[];
  /** Legend names of the runs (default: the run's name, else its experiment, else `run <id>`). */
  labels?: CurveLabels;
}

export interface AlignedHistoryOptions {
  /** The metric to draw, e.g. `batch_loss` or `val_accuracy`. */
  key: string;
  labels?: CurveLabels;
}

/**
 * What train() logs once per epoch, at metric step = epoch - 1 (batch_loss, batch_lr and
 * grad_norm are per update, at the 0-based update count). Curves of these alone are drawn
 * against the epoch, counted from 1 as progress prints it; anything else against the step.
 */
const EPOCH_LOG = /^(val_)?(loss|accuracy|binary_accuracy|categorical_accuracy|sparse_categorical_accuracy|mse|mae)$|^(lr|epoch_seconds|samples_per_sec|best_epoch)$/;

function onEpochAxis(curves: Curves, keys: readonly string[]): Curves {
  if (curves.xTitle !== 'step' || !keys.every((k) => EPOCH_LOG.test(k))) return curves;
  return { ...curves, x: curves.x.map((step) => step + 1), xTitle: 'epoch' };
}

/** Epoch logs that are bookkeeping rather than a curve worth a panel of its own. */
const NOT_CURVES = new Set(['lr', 'batch_lr', 'epoch_seconds', 'samples_per_sec', 'size']);

interface RunCurves {
  name: string;
  /** Its experiment, where known: past MAX_DISTINCT runs, colours and legend entries go by it. */
  group?: string;
  values: Map<string, (number | null)[]>;
}

interface Curves {
  x: number[];
  xTitle: string;
  runs: RunCurves[];
  /** The keys metricHistories() was asked for, in order; null when it was asked for all. */
  asked: string[] | null;
}

export function learningCurves(input: CurveInput, options?: LearningCurveOptions): Figure {
  const opts = checkOptions(options);
  const all = normalize(input, opts.labels);
  const keys = unionKeys(all.runs);
  const panels = choosePanels(keys, opts.metrics ?? all.asked ?? undefined, opts.metrics === undefined);
  const curves = onEpochAxis(all, panels.flatMap((p) => p.keys));
  const rows = panels.length;
  const gap = rows > 1 ? 0.08 : 0;
  const data: object[] = [];
  const layout = baseLayout(rows === 1 ? `Learning curve: ${panels[0].title}` : 'Learning curves', { height: 130 + 250 * rows });
  // A few epochs would otherwise get ticks at 0.5; longer axes choose integer ticks themselves.
  const ticks = curves.x.length <= 15 ? { dtick: 1 } : {};
  const legend = legendOf(curves.runs);
  const seen = new Set<string>();
  panels.forEach((panel, r) => {
    const suffix = r === 0 ? '' : String(r + 1);
    const top = 1 - r / rows;
    const bottom = 1 - (r + 1) / rows;
    layout[`xaxis${suffix}`] = axis(r === rows - 1 ? curves.xTitle : '', {
      anchor: `y${suffix}`,
      ...ticks,
      ...(r > 0 ? { matches: 'x' } : {}),
    });
    layout[`yaxis${suffix}`] = axis(panel.title, { anchor: `x${suffix}`, domain: [r === rows - 1 ? 0 : bottom + gap / 2, r === 0 ? 1 : top - gap / 2] });
    curves.runs.forEach((run, i) => {
      for (const key of panel.keys) {
        const y = run.values.get(key);
        if (!y) continue;
        const validation = key.startsWith('val_');
        const split = validation ? 'validation' : 'train';
        // One run: its splits are the legend. Several: one entry per run (or experiment), the split told by the dash and on hover.
        const one = curves.runs.length === 1;
        const group = one ? split : legend[i].group;
        data.push({
          type: 'scatter',
          mode: 'lines+markers',
          name: one ? split : legend[i].name,
          legendgroup: group,
          showlegend: !seen.has(group),
          x: curves.x,
          y,
          ...(one ? {} : { text: `${run.name} (${split})`, hoverinfo: 'x+y+text' }),
          connectgaps: false,
          xaxis: `x${suffix}`,
          yaxis: `y${suffix}`,
          line: { color: legend[i].color, dash: validation ? 'dash' : 'solid', width: 2 },
          marker: { size: 4 },
        });
        seen.add(group);
      }
    });
  });
  if (curves.runs.length > 1 && panels.some((p) => p.keys.some((k) => k.startsWith('val_')))) {
    layout.legend = { title: { text: 'solid: train, dashed: validation' } };
  }
  return { data, layout };
}

/** Each run's legend entry: its own (a colour of its own up to 20 runs), or past that its experiment's. */
function legendOf(runs: readonly RunCurves[]): { name: string; group: string; color: string }[] {
  if (runs.length <= MAX_DISTINCT) return runs.map((run, i) => ({ name: run.name, group: `run ${i + 1}`, color: colorAt(i) }));
  const groups = runs.map((run) => run.group ?? 'runs');
  const order = [...new Set(groups)];
  const count = (g: string) => groups.filter((x) => x === g).length;
  return groups.map((g) => ({ name: `${g} (${count(g)} runs)`, group: `group ${g}`, color: colorAt(order.indexOf(g)) }));
}

/** One metric of many runs on the shared step axis of metricHistories(). */
export function alignedHistories(histories: MetricHistories, options: AlignedHistoryOptions): Figure {
  const opts = checkOptions(options);
  const key = checkString('key', opts.key, 'a metric name such as "val_loss"');
  const all = normalize(checkHistories(histories), opts.labels);
  const keys = unionKeys(all.runs);
  if (!keys.includes(key)) throw unknownName('key', 'a metric', key, keys);
  const curves = onEpochAxis(all, [key]);
  const data: object[] = [];
  curves.runs.forEach((run, i) => {
    const y = run.values.get(key);
    if (!y) return;
    data.push({
      type: 'scatter',
      mode: 'lines+markers',
      name: run.name,
      x: curves.x,
      y,
      connectgaps: false,
      line: { color: colorAt(i), width: 2 },
      marker: { size: 4 },
    });
  });
  return { data, layout: baseLayout(`${key} by ${curves.xTitle}`, { xaxis: axis(curves.xTitle, curves.x.length <= 15 ? { dtick: 1 } : {}), yaxis: axis(key) }) };
}

function normalize(input: CurveInput, labels: unknown): Curves {
  // A lone train() History (or {name, epochs}) is a list of one, as Keras plots history alone.
  if (!Array.isArray(input) && input !== null && typeof input === 'object' && 'epochs' in input && !('series' in input)) return fromEpochs([input as EpochSeries], labels);
  if (Array.isArray(input)) return fromEpochs(input as readonly EpochSeries[], labels);
  const histories = checkHistories(input);
  const listed = Array.isArray(histories.runs) ? histories.runs : [];
  const info = new Map(listed.map((r) => [r.id, r]));
  const ids = [...new Set([...listed.map((r) => r.id), ...histories.series.map((s) => s.runId)])];
  const names = runNames(
    ids.map((id) => { const r = info.get(id); return r?.name || r?.experiment || `run ${id}`; }),
    ids.map((id) => `#${id}`),
    labelsFor(labels, ids, true),
  );
  const runs = new Map<number, RunCurves>();
  for (const series of histories.series) {
    let run = runs.get(series.runId);
    if (!run) runs.set(series.runId, (run = { name: names[ids.indexOf(series.runId)], group: info.get(series.runId)?.experiment, values: new Map() }));
    run.values.set(series.key, series.values.map(finiteOrNull));
  }
  // Runs in the order asked, whatever order the series come in.
  const ordered = ids.filter((id) => runs.has(id)).map((id) => runs.get(id)!);
  const asked = Array.isArray(histories.keys) && histories.keys.length > 0 ? histories.keys : null;
  return { x: [...histories.steps], xTitle: 'step', runs: ordered, asked };
}

function fromEpochs(input: readonly EpochSeries[], labels: unknown): Curves {
  if (input.length === 0) throw invalidArgument('series', 'one or more {name, epochs} histories or a MetricHistories', input);
  const length = Math.max(...input.map((s, i) => {
    if (s === null || typeof s !== 'object' || !Array.isArray(s.epochs)) {
      throw invalidArgument(`series[${i}]`, 'a {name, epochs: Logs[]} history as train() returns', s);
    }
    return s.epochs.length;
  }));
  const names = runNames(
    input.map((s, i) => (typeof s.name === 'string' && s.name !== '' ? s.name : `run ${i + 1}`)),
    input.map((_, i) => `#${i + 1}`),
    labelsFor(labels, input.map((_, i) => i), false),
  );
  const runs = input.map((s, i): RunCurves => {
    const keys = [...new Set(s.epochs.flatMap((logs) => Object.keys(logs ?? {})))].sort();
    const values = new Map(keys.map((k) => [k, Array.from({ length }, (_, e) => finiteOrNull(s.epochs[e]?.[k]))] as const));
    return { name: names[i], values };
  });
  // Epochs count from 1, as the progress lines and History.bestEpoch do.
  return { x: Array.from({ length }, (_, e) => e + 1), xTitle: 'epoch', runs, asked: null };
}

/**
 * Legend names: the caller's label, else the default; a name two runs share gets its tag
 * (`mlp #3`, `mlp #4`), since one legend entry for two runs would hide one of them.
 */
function runNames(defaults: readonly string[], tags: readonly string[], given: readonly (string | undefined)[]): string[] {
  const names = defaults.map((d, i) => given[i] ?? d);
  const count = new Map<string, number>();
  for (const n of names) count.set(n, (count.get(n) ?? 0) + 1);
  return names.map((n, i) => (count.get(n)! > 1 && given[i] === undefined ? `${n} ${tags[i]}` : n));
}

/** The caller's labels, one entry per run (undefined where none was given). */
function labelsFor(value: unknown, ids: readonly number[], byId: boolean): (string | undefined)[] {
  if (value === undefined) return ids.map(() => undefined);
  const isName = (v: unknown) => typeof v === 'string' && v !== '';
  if (Array.isArray(value)) {
    if (value.length !== ids.length || !value.every(isName)) {
      throw invalidArgument('labels', `an array of ${ids.length} non-empty ${ids.length === 1 ? 'name' : 'names'}, one per run in order`, value);
    }
    return [...value];
  }
  if (!byId) throw invalidArgument('labels', 'an array of names, one per history (train() histories have no run ids)', value);
  if (value === null || typeof value !== 'object' || !Object.values(value).every(isName)) {
    throw invalidArgument('labels', 'an object of run id -> name, or an array of names in run order', value);
  }
  const given = value as { [id: number]: string };
  return ids.map((id) => given[id]);
}

function checkHistories(value: unknown): MetricHistories {
  const h = value as MetricHistories;
  if (h === null || typeof h !== 'object' || !Array.isArray(h.steps) || !Array.isArray(h.series)) {
    throw invalidArgument('histories', 'a MetricHistories {steps, series} from metricHistories()', value);
  }
  return h;
}

function unionKeys(runs: readonly RunCurves[]): string[] {
  return [...new Set(runs.flatMap((r) => [...r.values.keys()]))].sort();
}

/**
 * Asked (in `metrics`, or by metricHistories' keys): panels in the order asked, `x` with `val_x`.
 * Not asked: every logged metric, loss first, then accuracy, then the rest by name, the order
 * people read a training log in. metricHistories' keys (`fromHistories`) may name metrics no
 * run logged, and are skipped rather than refused.
 */
function choosePanels(keys: readonly string[], requested: unknown, fromHistories: boolean): MetricPanel[] {
  const has = new Set(keys);
  const bases = [...new Set(keys.filter((k) => !NOT_CURVES.has(k)).map(baseMetric))];
  if (requested === undefined) {
    const rank = (b: string) => (b === 'loss' ? 0 : /^acc(uracy)?$/.test(b) ? 1 : 2);
    const order = bases.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    if (order.length === 0) throw invalidArgument('series', 'histories with at least one logged metric', `metrics ${JSON.stringify(keys)}`);
    return metricPanels(order, (k) => has.has(k));
  }
  if (!Array.isArray(requested) || requested.length === 0) throw invalidArgument('metrics', 'a non-empty array of metric names', requested);
  const names = requested.map((m: unknown) => checkString('metrics', m, 'metric names such as "loss"'));
  if (!fromHistories) {
    for (const name of names) {
      if (metricPanels([name], (k) => has.has(k)).length === 0) throw unknownName('metrics', 'a metric', name, [...new Set([...bases, ...keys])].sort());
    }
  }
  const panels = metricPanels(names, (k) => has.has(k));
  if (panels.length === 0) throw invalidArgument('series', 'histories with at least one logged metric', `metrics ${JSON.stringify(keys)}`);
  return panels;
}
