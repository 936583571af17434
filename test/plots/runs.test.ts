import { beforeAll, describe, expect, it } from 'vitest';
import { confusionMatrixHeatmap, leaderboard, metricVsParam, PALETTE, parallelCoordinates, varyingParams } from '../../kernel-lib/src/plots';
import { confusionMatrix } from '../../kernel-lib/src/metrics';
import { searchRuns, type RunSummary } from '../../kernel-lib/src/query';
import type { Config } from '../../kernel-lib/src/registry/types';
import { addRun, makeDb } from '../query/fixture';

type Trace = { [key: string]: unknown };

let runs: RunSummary[];
beforeAll(() => {
  const db = makeDb();
  addRun(db, { name: 'small', config: { lr: 0.001, optimizer: 'adam', model: { units: 32 } }, metrics: { val_accuracy: [[0, 0.8]], val_loss: [[0, 0.6]] } });
  addRun(db, { config: { lr: 0.1, optimizer: 'sgd', model: { units: 64 } }, metrics: { val_accuracy: [[0, 0.9]], val_loss: [[0, 0.4]] } });
  addRun(db, { experiment: 'other', config: { lr: 0.01, optimizer: 'adam', model: { units: 64 } }, metrics: { val_accuracy: [[0, 0.85]] } });
  addRun(db, { config: { lr: 0.05, optimizer: 'sgd', model: { units: 32 } }, metrics: { val_loss: [[0, null]] } });
  runs = searchRuns(db, { sort: 'id' });
});

describe('metricVsParam', () => {
  it('is a scatter per experiment of the latest metric against the param, runs lacking either left out', () => {
    const figure = metricVsParam(runs, { param: 'lr', metric: 'metrics.val_accuracy' });
    expect(figure.data).toEqual([
      { type: 'scatter', mode: 'markers', name: 'mnist', x: [0.001, 0.1], y: [0.8, 0.9], text: ['#1 small', '#2'], marker: { size: 10, color: PALETTE[0] } },
      { type: 'scatter', mode: 'markers', name: 'other', x: [0.01], y: [0.85], text: ['#3'], marker: { size: 10, color: PALETTE[1] } },
    ]);
    // lr spans two decades: a log axis.
    expect(figure.layout).toMatchObject({ title: { text: 'val_accuracy vs lr' }, xaxis: { title: { text: 'lr' }, type: 'log' }, yaxis: { title: { text: 'val_accuracy' } }, showlegend: true });
  });

  it('puts text params on a sorted category axis', () => {
    const figure = metricVsParam(runs, { param: 'config.optimizer', metric: 'val_loss' });
    expect((figure.data as Trace[]).map((t) => [t.x, t.y])).toEqual([[['adam', 'sgd'], [0.6, 0.4]]]);
    expect(figure.layout).toMatchObject({ xaxis: { type: 'category', categoryorder: 'array', categoryarray: ['adam', 'sgd'] } });
  });

  it('names an unknown param or metric with the template', () => {
    expect(() => metricVsParam(runs, { param: 'lrr', metric: 'val_loss' })).toThrow(
      /^Invalid value for `param`: expected one of "lr", "model.units", "optimizer", received "lrr". Did you mean "lr"\?$/,
    );
    expect(() => metricVsParam(runs, { param: 'lr', metric: 'val_acc' })).toThrow(/^Invalid value for `metric`: expected one of "val_accuracy", "val_loss", received "val_acc"\./);
    expect(() => metricVsParam(runs, { param: 'lr' } as never)).toThrow(/Invalid value for `metric`: expected a metric name/);
  });
});

describe('parallelCoordinates', () => {
  it('has numeric params as axes, text params as categorical ticks, the metric last', () => {
    const figure = parallelCoordinates(runs, { params: ['lr', 'optimizer'], metric: 'val_accuracy' });
    expect(figure.data).toEqual([
      {
        type: 'parcoords',
        dimensions: [
          // lr spans two decades: log10, with the decades as ticks.
          { label: 'lr (log)', values: [Math.log10(0.001), Math.log10(0.1), Math.log10(0.01)], tickvals: [-3, -2, -1], ticktext: ['0.001', '0.01', '0.1'], range: [-3, -1] },
          { label: 'optimizer', values: [0, 1, 0], tickvals: [0, 1], ticktext: ['adam', 'sgd'], range: [0, 1] },
          { label: 'val_accuracy', values: [0.8, 0.9, 0.85] },
        ],
        line: { color: [0.8, 0.9, 0.85], colorscale: 'Viridis', reversescale: false, showscale: true, colorbar: { title: { text: 'val_accuracy' } } },
      },
    ]);
    expect((figure.layout as { title: { text: string } }).title.text).toBe('Parallel coordinates: val_accuracy (3 of 4 runs; left out: 1 without val_accuracy)');
  });

  it('defaults to the params that differ between runs', () => {
    expect(varyingParams(runs)).toEqual(['lr', 'model.units', 'optimizer']);
    const figure = parallelCoordinates(runs, { metric: 'val_loss' });
    expect(((figure.data[0] as Trace).dimensions as { label: string }[]).map((d) => d.label)).toEqual(['lr (log)', 'model.units', 'optimizer', 'val_loss']);
    const same = runs.slice(0, 1);
    expect(() => parallelCoordinates(same, { metric: 'val_loss' })).toThrow(/Invalid value for `params`: expected config keys to use as axes/);
    expect(() => parallelCoordinates(runs, { params: ['units'], metric: 'val_loss' })).toThrow(/^Invalid value for `params`: expected one of "lr", "model.units", "optimizer", received "units"\./);
  });
});

describe('parallelCoordinates over experiments with different configs', () => {
  const db = makeDb();
  const add = (experiment: string, config: Config, acc: number | null) => addRun(db, { experiment, config, metrics: acc === null ? { loss: [[0, 1]] } : { acc: [[0, acc]] } });
  [0.1, 0.01, 0.001, 0.05].forEach((lr, i) => add('mlp', { lr, units: 16 * (i + 1) }, [0.8, 0.81, 0.82, 0.83][i]));
  [0.2, 0.02, 0.3].forEach((lr, i) => add('cnn', { lr, filters: 8 * (i + 1) }, 0.7 + i / 100));
  add('cnn', { lr: 0.5, filters: 4 }, null);

  it('takes the axes most runs share, not the union no run has, and counts the runs left out', () => {
    const all = searchRuns(db, { sort: 'id' });
    const figure = parallelCoordinates(all, { metric: 'acc' });
    const trace = figure.data[0] as Trace;
    const dims = trace.dimensions as { label: string; values: number[] }[];
    expect(dims.map((d) => d.label)).toEqual(['lr (log)', 'units', 'acc']);
    expect(dims.map((d) => d.values.length)).toEqual([4, 4, 4]);
    expect((trace.line as { color: number[] }).color).toEqual([0.8, 0.81, 0.82, 0.83]);
    expect((figure.layout as { title: { text: string } }).title.text).toBe('Parallel coordinates: acc (4 of 8 runs; left out: 1 without acc, 3 without a value for units)');
  });

  it('draws every run of experiments that share their keys, with the experiment as an axis', () => {
    const shared = searchRuns(db, { sort: 'id', where: 'config.lr >= 0.05' }).filter((s) => s.metrics.acc !== undefined);
    const figure = parallelCoordinates(shared.map((s) => ({ ...s, config: { lr: s.config.lr } })).concat(shared.map((s) => ({ ...s, id: s.id + 100, config: { lr: (s.config.lr as number) * 2 } }))), { metric: 'acc' });
    const dims = (figure.data[0] as Trace).dimensions as { label: string; ticktext?: string[]; values: number[] }[];
    expect(dims.map((d) => d.label)).toEqual(['experiment', 'lr', 'acc']);
    expect(dims[0].ticktext).toEqual(['cnn', 'mlp']);
    expect(dims[2].values).toHaveLength(shared.length * 2);
  });
});

describe('leaderboard', () => {
  it('ranks by the metric, best on top, higher-is-better guessed from the name', () => {
    const figure = leaderboard(runs, { metric: 'val_accuracy' });
    expect(figure.data).toEqual([
      {
        type: 'bar', orientation: 'h', x: [0.9, 0.85, 0.8], y: ['#2', '#3', '#1 small'], text: ['0.9', '0.85', '0.8'], textposition: 'auto',
        marker: { color: [PALETTE[1], PALETTE[2], PALETTE[0]] },
      },
    ]);
    expect(figure.layout).toMatchObject({ title: { text: 'Leaderboard: val_accuracy (higher is better)' }, yaxis: { type: 'category', autorange: 'reversed' } });
  });

  it('sorts losses ascending, honours top and ascending, and checks its options', () => {
    expect((leaderboard(runs, { metric: 'val_loss' }).data[0] as Trace).y).toEqual(['#2', '#1 small']);
    expect((leaderboard(runs, { metric: 'val_accuracy', top: 1, ascending: true }).data[0] as Trace).y).toEqual(['#1 small']);
    expect(() => leaderboard(runs, { metric: 'val_accuracy', top: 0 })).toThrow('Invalid value for `top`: expected a positive integer, received 0.');
    expect(() => leaderboard(runs, { metric: 'acc' })).toThrow(/^Invalid value for `metric`: expected one of "val_accuracy", "val_loss", received "acc"/);
    expect(() => leaderboard('runs' as never, { metric: 'acc' })).toThrow(/Invalid value for `summaries`/);
  });
});

describe('confusionMatrixHeatmap', () => {
  it('draws a metrics.confusionMatrix with true classes down, predicted across, counts annotated', () => {
    const matrix = confusionMatrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 0]);
    expect(matrix).toEqual([[1, 1], [1, 2]]);
    const figure = confusionMatrixHeatmap(matrix, ['cat', 'dog']);
    expect(figure.data).toEqual([
      {
        type: 'heatmap', z: [[1, 1], [1, 2]], x: ['cat', 'dog'], y: ['cat', 'dog'], colorscale: 'Blues', reversescale: true, showscale: true, xgap: 1, ygap: 1,
        hovertemplate: 'true %{y}<br>predicted %{x}<br>count %{z}<extra></extra>',
      },
    ]);
    const layout = figure.layout as { annotations: Trace[]; xaxis: Trace; yaxis: Trace };
    expect(layout.annotations.map((a) => [a.x, a.y, a.text, (a.font as { color: string }).color])).toEqual([
      [0, 0, '1', '#000000'],
      [1, 0, '1', '#000000'],
      [0, 1, '1', '#000000'],
      [1, 1, '2', '#ffffff'],
    ]);
    expect(layout.xaxis).toMatchObject({ title: { text: 'predicted' }, type: 'category' });
    expect(layout.yaxis).toMatchObject({ title: { text: 'true' }, type: 'category', autorange: 'reversed' });
    expect((confusionMatrixHeatmap([[3]]).data[0] as Trace).x).toEqual(['0']);
  });

  it('refuses a matrix that is not square counts, and labels that do not fit', () => {
    expect(() => confusionMatrixHeatmap([[1, 2]])).toThrow(/^Invalid value for `matrix`: expected a square array of non-negative counts/);
    expect(() => confusionMatrixHeatmap([[1, -1], [0, 0]])).toThrow(/Invalid value for `matrix`/);
    expect(() => confusionMatrixHeatmap([[1, 0], [0, 1]], ['a'])).toThrow('Invalid value for `labels`: expected 2 class names, one per row of the matrix, received an array of 1.');
    expect(() => confusionMatrixHeatmap([[1, 0], [0, 1]], ['a', 'a'])).toThrow(/expected distinct class names/);
  });
});
