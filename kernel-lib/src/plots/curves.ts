/** Learning curves and aligned metric histories: runs overlaid on a shared step/epoch axis. */
import { invalidArgument } from '../errors';
import type { MetricHistories } from '../query/histories';
import type { Logs } from '../train/callbacks';
import { axis, baseLayout, checkOptions, checkString, colorAt, finiteOrNull, MAX_DISTINCT, unknownName, type Figure } from './figure';

/** One run's epoch logs, as `train()` returns them in `History.epochs`. */
export interface EpochSeries {
  name?: string;
  epochs: readonly Logs[];
}

/** What learningCurves draws from: metricHistories() output, or train() histories with names. */
export type CurveInput = MetricHistories | readonly EpochSeries[];

export interface LearningCurveOptions {
  /** Metrics to draw, one panel each: `loss` draws loss and val_loss; `val_loss` only itself. Default: every logged metric. */
  metrics?: readonly string[];
  /** Names for runs of a MetricHistories input, by run id (default `run <id>`). */
  labels?: { [runId: number]: string };
}

export interface AlignedHistoryOptions {
  /** The metric to draw, e.g. `batch_loss` or `val_accuracy`. */
  key: string;
  labels?: { [runId: number]: string };
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
}

export function learningCurves(input: CurveInput, options?: LearningCurveOptions): Figure {
  const opts = checkOptions(options);
  const all = normalize(input, labelsOption(opts.labels));
  const keys = unionKeys(all.runs);
  const panels = choosePanels(keys, opts.metrics);
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
  const all = normalize(checkHistories(histories), labelsOption(opts.labels));
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

function normalize(input: CurveInput, labels: { [runId: number]: string }): Curves {
  if (Array.isArray(input)) return fromEpochs(input as readonly EpochSeries[]);
  const histories = checkHistories(input);
  const runs = new Map<number, RunCurves>();
  for (const series of histories.series) {
    let run = runs.get(series.runId);
    if (!run) runs.set(series.runId, (run = { name: labels[series.runId] ?? `run ${series.runId}`, values: new Map() }));
    run.values.set(series.key, series.values.map(finiteOrNull));
  }
  return { x: [...histories.steps], xTitle: 'step', runs: [...runs.values()] };
}

function fromEpochs(input: readonly EpochSeries[]): Curves {
  if (input.length === 0) throw invalidArgument('series', 'one or more {name, epochs} histories or a MetricHistories', input);
  const length = Math.max(...input.map((s, i) => {
    if (s === null || typeof s !== 'object' || !Array.isArray(s.epochs)) {
      throw invalidArgument(`series[${i}]`, 'a {name, epochs: Logs[]} history as train() returns', s);
    }
    return s.epochs.length;
  }));
  const runs = input.map((s, i): RunCurves => {
    const keys = [...new Set(s.epochs.flatMap((logs) => Object.keys(logs ?? {})))].sort();
    const values = new Map(keys.map((k) => [k, Array.from({ length }, (_, e) => finiteOrNull(s.epochs[e]?.[k]))] as const));
    return { name: typeof s.name === 'string' && s.name !== '' ? s.name : `run ${i + 1}`, values };
  });
  // Epochs count from 1, as the progress lines and History.bestEpoch do.
  return { x: Array.from({ length }, (_, e) => e + 1), xTitle: 'epoch', runs };
}

function checkHistories(value: unknown): MetricHistories {
  const h = value as MetricHistories;
  if (h === null || typeof h !== 'object' || !Array.isArray(h.steps) || !Array.isArray(h.series)) {
    throw invalidArgument('histories', 'a MetricHistories {steps, series} from metricHistories()', value);
  }
  return h;
}

function labelsOption(value: unknown): { [runId: number]: string } {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgument('labels', 'an object of run id -> name', value);
  return value as { [runId: number]: string };
}

function unionKeys(runs: readonly RunCurves[]): string[] {
  return [...new Set(runs.flatMap((r) => [...r.values.keys()]))].sort();
}

interface Panel {
  title: string;
  keys: string[];
}

/** `loss` is a panel with loss and val_loss; a `val_` name alone is a panel of itself. */
function choosePanels(keys: readonly string[], requested: unknown): Panel[] {
  const has = new Set(keys);
  const bases = [...new Set(keys.filter((k) => !NOT_CURVES.has(k)).map((k) => (k.startsWith('val_') ? k.slice(4) : k)))];
  if (requested === undefined) {
    // loss first, then accuracy, then the rest by name: the order people read a training log in.
    const rank = (b: string) => (b === 'loss' ? 0 : /^acc(uracy)?$/.test(b) ? 1 : 2);
    const order = bases.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    if (order.length === 0) throw invalidArgument('series', 'histories with at least one logged metric', `metrics ${JSON.stringify(keys)}`);
    return order.map((b) => ({ title: b, keys: [b, `val_${b}`].filter((k) => has.has(k)) }));
  }
  if (!Array.isArray(requested) || requested.length === 0) throw invalidArgument('metrics', 'a non-empty array of metric names', requested);
  return requested.map((m: unknown) => {
    const name = checkString('metrics', m, 'metric names such as "loss"');
    const panelKeys = name.startsWith('val_') ? [name].filter((k) => has.has(k)) : [name, `val_${name}`].filter((k) => has.has(k));
    if (panelKeys.length === 0) throw unknownName('metrics', 'a metric', name, [...new Set([...bases, ...keys])].sort());
    return { title: name, keys: panelKeys };
  });
}

