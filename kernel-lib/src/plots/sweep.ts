/** A sweep's figures: optimisation history, parallel coordinates, metric vs each param, and the trials' learning curves; pure, nothing displays. */
import { invalidArgument } from '../errors';
import type { Json } from '../registry/types';
import type { Direction } from '../sweep/sampler';
import { defineSpace, type ParamSpec, type SearchSpace } from '../sweep/space';
import type { Trial, TrialState } from '../sweep/trial';
import { axis, baseLayout, checkOptions, checkString, finiteOrNull, PALETTE, type Figure } from './figure';

export interface SweepFigureOptions {
  /** The objective's name, for axis titles and hover text (default "objective"). */
  metric?: string;
}

/** One colour and dash per state, so a pruned trial reads differently on every chart without a legend per trial. */
const STATE_STYLE: { [state in TrialState]: { color: string; dash: string } } = {
  complete: { color: PALETTE[0], dash: 'solid' },
  pruned: { color: PALETTE[3], dash: 'dash' },
  running: { color: PALETTE[1], dash: 'dot' },
  failed: { color: PALETTE[7], dash: 'dot' },
};

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkTrials(trials: unknown): Trial[] {
  if (!Array.isArray(trials)) throw invalidArgument('trials', 'an array of trial records', trials, "Pass the sweep's `trials`.");
  // By number: the same trials in any order make the same figure.
  return [...(trials as Trial[])].sort((a, b) => a.number - b.number);
}

function checkDirection(direction: unknown): Direction {
  if (direction !== 'minimize' && direction !== 'maximize') throw invalidArgument('direction', '"minimize" or "maximize"', direction);
  return direction;
}

function metricOf(options: SweepFigureOptions | undefined): string {
  const opts = checkOptions(options);
  return opts.metric === undefined ? 'objective' : checkString('metric', opts.metric, 'a metric name such as "val_loss"');
}

const completed = (trials: Trial[]) => trials.filter((t) => t.state === 'complete' && finite(t.value));

function reports(t: Trial): { step: number; value: number | null }[] {
  return [...(t.intermediate ?? [])].filter((r) => finite(r.step)).sort((a, b) => a.step - b.step).map((r) => ({ step: r.step, value: finiteOrNull(r.value) }));
}

function lastReport(t: Trial): { step: number; value: number } | null {
  const r = reports(t).filter((p): p is { step: number; value: number } => p.value !== null);
  return r.length ? r[r.length - 1] : null;
}

function noData(text: string): object {
  return { text, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5, showarrow: false, font: { size: 14 } };
}

/** Each complete trial's value by trial number, the best-so-far line, and pruned trials at their last report as red crosses. */
export function optimizationHistory(trials: readonly Trial[], direction: Direction, options?: SweepFigureOptions): Figure {
  const all = checkTrials(trials);
  const better = checkDirection(direction) === 'minimize' ? Math.min : Math.max;
  const metric = metricOf(options);
  const done = completed(all);
  const pruned = all.map((t) => ({ t, last: t.state === 'pruned' ? lastReport(t) : null })).filter((p) => p.last !== null);
  let best = direction === 'minimize' ? Infinity : -Infinity;
  const bestSoFar = done.map((t) => (best = better(best, t.value as number)));
  const data: object[] = [
    { type: 'scatter', mode: 'markers', name: 'complete', x: done.map((t) => t.number), y: done.map((t) => t.value), marker: { size: 8, color: STATE_STYLE.complete.color } },
    {
      type: 'scatter',
      mode: 'markers',
      name: 'pruned (last report)',
      x: pruned.map((p) => p.t.number),
      y: pruned.map((p) => p.last?.value),
      text: pruned.map((p) => `pruned at step ${p.last?.step}`),
      marker: { size: 9, symbol: 'x', color: STATE_STYLE.pruned.color },
    },
    { type: 'scatter', mode: 'lines', name: 'best so far', x: done.map((t) => t.number), y: bestSoFar, line: { shape: 'hv', color: '#000000', width: 2 } },
  ];
  const layout = baseLayout(`Optimization history: ${metric} (${direction})`, { xaxis: axis('trial', { rangemode: 'tozero' }), yaxis: axis(metric) });
  if (done.length === 0) layout.annotations = [noData('No trial has completed yet')];
  return { data, layout };
}

/** The learning curve each trial reported: complete ones solid, pruned ones dashed ending in a cross where they were pruned. */
export function intermediateValues(trials: readonly Trial[], options?: SweepFigureOptions): Figure {
  const all = checkTrials(trials).filter((t) => reports(t).length > 0);
  const metric = metricOf(options);
  const seen = new Set<TrialState>();
  const data: object[] = all.map((t) => {
    const r = reports(t);
    const style = STATE_STYLE[t.state] ?? STATE_STYLE.failed;
    const first = !seen.has(t.state);
    seen.add(t.state);
    return {
      type: 'scatter',
      mode: 'lines',
      name: t.state,
      legendgroup: t.state,
      showlegend: first,
      text: `trial ${t.number} (${t.state})`,
      hoverinfo: 'x+y+text',
      x: r.map((p) => p.step),
      y: r.map((p) => p.value),
      connectgaps: false,
      line: { color: style.color, dash: style.dash, width: t.state === 'complete' ? 2 : 1.5 },
    };
  });
  const ends = all.filter((t) => t.state === 'pruned').map((t) => ({ t, last: lastReport(t) })).filter((p) => p.last !== null);
  if (ends.length) {
    data.push({
      type: 'scatter',
      mode: 'markers',
      name: 'pruned here',
      x: ends.map((p) => p.last?.step),
      y: ends.map((p) => p.last?.value),
      text: ends.map((p) => `trial ${p.t.number} pruned at step ${p.last?.step}`),
      marker: { symbol: 'x', size: 9, color: STATE_STYLE.pruned.color },
    });
  }
  const layout = baseLayout(`Intermediate values: ${metric}`, { xaxis: axis('step'), yaxis: axis(metric) });
  if (all.length === 0) layout.annotations = [noData('No trial has reported an intermediate value')];
  return { data, layout };
}

const isLog = (spec: ParamSpec) => spec.kind === 'logUniform' || (spec.kind === 'int' && spec.log);

/** A choice's position among the space's choices, or -1. */
function choiceIndex(spec: ParamSpec, value: Json | undefined): number {
  if (spec.kind !== 'choice' || value === undefined) return -1;
  const key = JSON.stringify(value);
  return spec.choices.findIndex((c) => JSON.stringify(c) === key);
}

function formatTick(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

/**
 * One axis per param, in the space's order, and the metric last; lines coloured by the value (the
 * best end of the colour scale is yellow). Choices are tick labels; log params are drawn as log10
 * with their decades as ticks (parcoords has no log axes). A conditional param's trials where it is
 * inactive sit on an "inactive" tick below its range, so every complete trial keeps its line.
 */
export function sweepParallelCoordinates(space: SearchSpace, trials: readonly Trial[], direction: Direction, options?: SweepFigureOptions): Figure {
  defineSpace(space);
  const done = completed(checkTrials(trials));
  checkDirection(direction);
  const metric = metricOf(options);
  const dimensions: object[] = Object.entries(space).map(([name, spec]) => dimension(name, spec, done.map((t) => t.params[name])));
  const values = done.map((t) => t.value as number);
  dimensions.push({ label: metric, values });
  const layout = baseLayout(`Parallel coordinates: ${metric} (${done.length} complete trial${done.length === 1 ? '' : 's'})`, { margin: { l: 80, r: 80, t: 90, b: 40 } });
  if (done.length === 0) layout.annotations = [noData('No trial has completed yet')];
  return {
    data: [
      {
        type: 'parcoords',
        dimensions,
        line: { color: values, colorscale: 'Viridis', reversescale: direction === 'minimize', showscale: true, colorbar: { title: { text: metric } } },
      },
    ],
    layout,
  };
}

function dimension(name: string, spec: ParamSpec, raw: (Json | undefined)[]): object {
  const inactive = raw.some((v) => v === undefined);
  if (spec.kind === 'choice') {
    const labels = spec.choices.map((c) => (typeof c === 'string' ? c : JSON.stringify(c)));
    const ticks = inactive ? ['inactive', ...labels] : labels;
    const shift = inactive ? 1 : 0;
    return {
      label: name,
      values: raw.map((v) => (v === undefined ? 0 : choiceIndex(spec, v) + shift)),
      tickvals: ticks.map((_, i) => i),
      ticktext: ticks,
      range: [0, Math.max(1, ticks.length - 1)],
    };
  }
  const log = isLog(spec);
  const lo = log ? Math.log10(spec.low) : spec.low;
  const hi = log ? Math.log10(spec.high) : spec.high;
  const pad = inactive ? (hi - lo || 1) / 8 : 0;
  const missing = lo - pad;
  const values = raw.map((v) => (typeof v === 'number' ? (log ? Math.log10(v) : v) : missing));
  if (!log && !inactive) return { label: name, values, range: [lo, hi] };
  const whole = log ? Array.from({ length: Math.floor(hi) - Math.ceil(lo) + 1 }, (_, i) => Math.ceil(lo) + i) : [];
  // A range inside one decade (2 to 8) has no decade ticks of its own: its ends are the ticks.
  const decades = whole.length >= 2 ? whole : [lo, hi];
  const tickvals = [...(inactive ? [missing] : []), ...decades];
  const ticktext = [...(inactive ? ['inactive'] : []), ...decades.map((d) => formatTick(log ? 10 ** d : d))];
  return { label: log ? `${name} (log)` : name, values, tickvals, ticktext, range: [missing, hi] };
}

/**
 * "metric vs parameter": one subplot per param (three to a row), a dot per complete trial where the
 * param is active, coloured by trial number so one sees where later trials went. Log params on a
 * log axis, choices as categories in the space's order.
 */
export function paramSlices(space: SearchSpace, trials: readonly Trial[], options?: SweepFigureOptions): Figure {
  defineSpace(space);
  const done = completed(checkTrials(trials));
  const metric = metricOf(options);
  const names = Object.keys(space);
  const cols = Math.min(3, names.length);
  const rows = Math.ceil(names.length / cols);
  const gapX = 0.06, gapY = rows > 1 ? 0.12 : 0;
  const width = (1 - gapX * (cols - 1)) / cols, height = (1 - gapY * (rows - 1)) / rows;
  const maxNumber = Math.max(1, ...done.map((t) => t.number));
  const layout = baseLayout(`${metric} vs parameter`, { height: 120 + 280 * rows, showlegend: false });
  const data = names.map((name, i) => {
    const spec = space[name];
    const row = Math.floor(i / cols), col = i % cols;
    const suffix = i === 0 ? '' : String(i + 1);
    const active = done.filter((t) => t.params[name] !== undefined);
    const categorical = spec.kind === 'choice';
    const labels = categorical ? spec.choices.map((c) => (typeof c === 'string' ? c : JSON.stringify(c))) : [];
    const x0 = col * (width + gapX), y1 = 1 - row * (height + gapY);
    layout[`xaxis${suffix}`] = axis(name, {
      anchor: `y${suffix}`,
      domain: [x0, x0 + width],
      ...(categorical ? { type: 'category', categoryorder: 'array', categoryarray: labels } : isLog(spec) ? { type: 'log' } : {}),
    });
    layout[`yaxis${suffix}`] = axis(col === 0 ? metric : '', { anchor: `x${suffix}`, domain: [y1 - height, y1] });
    return {
      type: 'scatter',
      mode: 'markers',
      name,
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
      x: active.map((t) => (categorical ? labels[choiceIndex(spec, t.params[name])] ?? String(t.params[name]) : t.params[name])),
      y: active.map((t) => t.value),
      text: active.map((t) => `trial ${t.number}`),
      marker: { size: 7, color: active.map((t) => t.number), cmin: 0, cmax: maxNumber, colorscale: 'Blues', showscale: i === 0, colorbar: { title: { text: 'trial' } }, line: { width: 0.5, color: '#555555' } },
    };
  });
  if (done.length === 0) layout.annotations = [noData('No trial has completed yet')];
  return { data, layout };
}
