// A sweep's figures: optimisation history, parallel coordinates, metric vs each param, intermediate values.
import { describe, expect, it } from 'vitest';
import { intermediateValues, optimizationHistory, paramSlices, sweepParallelCoordinates } from '../../kernel-lib/src/plots';
import { choice, int, logUniform, uniform, type SearchSpace } from '../../kernel-lib/src/sweep/space';
import type { Trial } from '../../kernel-lib/src/sweep/trial';

type Trace = { [key: string]: unknown };
type Dim = { label: string; values: number[]; tickvals?: number[]; ticktext?: string[]; range?: number[] };

const space: SearchSpace = {
  lr: logUniform(1e-4, 1e-1),
  opt: choice(['adam', 'sgd']),
  momentum: uniform(0, 0.9, { when: { param: 'opt', values: ['sgd'] } }),
  layers: int(1, 4),
};

const curve = (values: number[]) => values.map((value, step) => ({ step, value }));
const trials: Trial[] = [
  { number: 0, state: 'complete', value: 0.5, params: { lr: 0.01, opt: 'adam', layers: 2 }, intermediate: curve([0.9, 0.7, 0.5]) },
  { number: 1, state: 'pruned', value: null, params: { lr: 0.1, opt: 'sgd', momentum: 0.5, layers: 1 }, intermediate: curve([1.2, 1.1]) },
  { number: 2, state: 'complete', value: 0.3, params: { lr: 0.001, opt: 'sgd', momentum: 0.9, layers: 4 }, intermediate: curve([0.8, 0.5, 0.3]) },
  { number: 3, state: 'failed', value: null, params: { lr: 0.0001, opt: 'adam', layers: 3 }, intermediate: [] },
  { number: 4, state: 'complete', value: 0.4, params: { lr: 0.0003, opt: 'adam', layers: 3 }, intermediate: curve([0.85, 0.6, 0.4]) },
  { number: 5, state: 'running', value: null, params: { lr: 0.002, opt: 'adam', layers: 1 }, intermediate: curve([0.9]) },
];

describe('optimizationHistory', () => {
  it('plots complete values by trial number, pruned trials as crosses at their last report, and the best so far', () => {
    const figure = optimizationHistory(trials, 'minimize', { metric: 'val_loss' });
    const [complete, pruned, best] = figure.data as Trace[];
    expect(complete).toMatchObject({ name: 'complete', mode: 'markers', x: [0, 2, 4], y: [0.5, 0.3, 0.4] });
    expect(pruned).toMatchObject({ x: [1], y: [1.1], text: ['pruned at step 1'], marker: { symbol: 'x' } });
    expect((pruned.marker as Trace).color).not.toBe((complete.marker as Trace).color);
    expect(best).toMatchObject({ name: 'best so far', x: [0, 2, 4], y: [0.5, 0.3, 0.3], line: { shape: 'hv' } });
    expect(figure.layout).toMatchObject({ title: { text: 'Optimization history: val_loss (minimize)' }, yaxis: { title: { text: 'val_loss' } } });
  });

  it('keeps the highest value as best so far when maximizing', () => {
    const best = (optimizationHistory(trials, 'maximize').data as Trace[])[2];
    expect(best.y).toEqual([0.5, 0.5, 0.5]);
  });

  it('says so when nothing has completed, and rejects a bad direction', () => {
    const figure = optimizationHistory(trials.filter((t) => t.state !== 'complete'), 'minimize');
    expect(figure.layout).toMatchObject({ annotations: [{ text: 'No trial has completed yet' }] });
    expect(() => optimizationHistory(trials, 'up' as never)).toThrow(/`direction`: expected "minimize" or "maximize", received "up"/);
  });
});

describe('sweepParallelCoordinates', () => {
  const figure = sweepParallelCoordinates(space, trials, 'minimize', { metric: 'val_loss' });
  const trace = figure.data[0] as Trace;
  const dims = trace.dimensions as Dim[];

  it('has one axis per param in the space\'s order and the metric last, one line per complete trial', () => {
    expect(dims.map((d) => d.label)).toEqual(['lr (log)', 'opt', 'momentum', 'layers', 'val_loss']);
    expect(dims[4].values).toEqual([0.5, 0.3, 0.4]);
    expect(trace.line).toMatchObject({ color: [0.5, 0.3, 0.4], reversescale: true });
  });

  it('draws a log param as log10 with its decades as ticks', () => {
    expect(dims[0].values.map((v) => Math.round(v * 1000) / 1000)).toEqual([-2, -3, -3.523]);
    expect(dims[0]).toMatchObject({ tickvals: [-4, -3, -2, -1], ticktext: ['0.0001', '0.001', '0.01', '0.1'], range: [-4, -1] });
  });

  it('labels a choice axis with its choices, and puts trials where a conditional param is inactive on an "inactive" tick', () => {
    expect(dims[1]).toMatchObject({ values: [0, 1, 0], tickvals: [0, 1], ticktext: ['adam', 'sgd'] });
    expect(dims[2].ticktext).toEqual(['inactive', '0', '0.9']);
    const inactive = (dims[2].tickvals as number[])[0];
    expect(dims[2].values).toEqual([inactive, 0.9, inactive]);
    expect(inactive).toBeLessThan(0);
  });
});

describe('paramSlices', () => {
  const figure = paramSlices(space, trials, { metric: 'val_loss' });
  const data = figure.data as Trace[];
  const layout = figure.layout as { [key: string]: Trace };

  it('is one subplot per param of the metric against it, complete trials only, where the param is active', () => {
    expect(data.map((t) => [t.name, t.xaxis, t.yaxis])).toEqual([
      ['lr', 'x', 'y'],
      ['opt', 'x2', 'y2'],
      ['momentum', 'x3', 'y3'],
      ['layers', 'x4', 'y4'],
    ]);
    expect(data[2]).toMatchObject({ x: [0.9], y: [0.3], text: ['trial 2'] });
    expect(data[3]).toMatchObject({ x: [2, 4, 3], y: [0.5, 0.3, 0.4] });
    expect(layout.title).toEqual({ text: 'val_loss vs parameter' });
  });

  it('puts log params on a log axis and choices on a category axis in the space\'s order', () => {
    expect(layout.xaxis).toMatchObject({ title: { text: 'lr' }, type: 'log' });
    expect(layout.xaxis2).toMatchObject({ type: 'category', categoryarray: ['adam', 'sgd'] });
    expect(layout.xaxis3.type).toBeUndefined();
    expect(layout.yaxis).toMatchObject({ title: { text: 'val_loss' } });
    // Four params: two rows of subplots that do not overlap.
    expect((layout.yaxis4.domain as number[])[1]).toBeLessThan((layout.yaxis.domain as number[])[0]);
  });
});

describe('intermediateValues', () => {
  const figure = intermediateValues(trials, { metric: 'val_loss' });
  const data = figure.data as Trace[];

  it('draws each reporting trial\'s curve, pruned ones dashed and ending in a cross where they were pruned', () => {
    const curves = data.filter((t) => t.mode === 'lines');
    expect(curves.map((t) => t.text)).toEqual(['trial 0 (complete)', 'trial 1 (pruned)', 'trial 2 (complete)', 'trial 4 (complete)', 'trial 5 (running)']);
    const pruned = curves[1];
    expect(pruned).toMatchObject({ x: [0, 1], y: [1.2, 1.1], line: { dash: 'dash' } });
    expect((curves[0].line as Trace).dash).toBe('solid');
    expect((pruned.line as Trace).color).not.toBe((curves[0].line as Trace).color);
    expect(data[data.length - 1]).toMatchObject({ name: 'pruned here', x: [1], y: [1.1], marker: { symbol: 'x' } });
  });

  it('lists each state once in the legend', () => {
    expect(data.filter((t) => t.showlegend === true).map((t) => t.name)).toEqual(['complete', 'pruned', 'running']);
  });
});

describe('determinism', () => {
  it('makes the same JSON for the same trials, whatever their order', () => {
    const shuffled = [trials[3], trials[5], trials[0], trials[4], trials[1], trials[2]];
    const all = (ts: Trial[]) =>
      JSON.stringify([
        optimizationHistory(ts, 'minimize', { metric: 'm' }),
        sweepParallelCoordinates(space, ts, 'minimize', { metric: 'm' }),
        paramSlices(space, ts, { metric: 'm' }),
        intermediateValues(ts, { metric: 'm' }),
      ]);
    expect(all(shuffled)).toBe(all(trials));
    expect(all(trials.slice(1))).not.toBe(all(trials));
  });
});
