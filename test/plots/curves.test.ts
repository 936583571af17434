import { describe, expect, it } from 'vitest';
import { alignedHistories, learningCurves, PALETTE } from '../../kernel-lib/src/plots';
import { metricHistories } from '../../kernel-lib/src/query';
import { addRun, makeDb } from '../query/fixture';

type Trace = { [key: string]: unknown };
const traces = (f: { data: object[] }) => f.data as Trace[];

describe('learningCurves from train() histories', () => {
  const history = [
    { loss: 1.0, accuracy: 0.5, val_loss: 1.2, val_accuracy: 0.4, lr: 0.01 },
    { loss: 0.5, accuracy: 0.8, val_loss: 0.7, val_accuracy: 0.7, lr: 0.01 },
  ];

  it('has one panel per metric with train solid and validation dashed, exactly', () => {
    const figure = learningCurves([{ name: 'mlp', epochs: history }]);
    expect(figure).toEqual({
      data: [
        {
          type: 'scatter', mode: 'lines+markers', name: 'train', legendgroup: 'train', showlegend: true,
          x: [1, 2], y: [1.0, 0.5], connectgaps: false, xaxis: 'x', yaxis: 'y',
          line: { color: PALETTE[0], dash: 'solid', width: 2 }, marker: { size: 4 },
        },
        {
          type: 'scatter', mode: 'lines+markers', name: 'validation', legendgroup: 'validation', showlegend: true,
          x: [1, 2], y: [1.2, 0.7], connectgaps: false, xaxis: 'x', yaxis: 'y',
          line: { color: PALETTE[0], dash: 'dash', width: 2 }, marker: { size: 4 },
        },
        {
          type: 'scatter', mode: 'lines+markers', name: 'train', legendgroup: 'train', showlegend: false,
          x: [1, 2], y: [0.5, 0.8], connectgaps: false, xaxis: 'x2', yaxis: 'y2',
          line: { color: PALETTE[0], dash: 'solid', width: 2 }, marker: { size: 4 },
        },
        {
          type: 'scatter', mode: 'lines+markers', name: 'validation', legendgroup: 'validation', showlegend: false,
          x: [1, 2], y: [0.4, 0.7], connectgaps: false, xaxis: 'x2', yaxis: 'y2',
          line: { color: PALETTE[0], dash: 'dash', width: 2 }, marker: { size: 4 },
        },
      ],
      layout: {
        title: { text: 'Learning curves' },
        font: { size: 12 },
        margin: { l: 60, r: 20, t: 50, b: 50 },
        hovermode: 'closest',
        height: 630,
        xaxis: { title: { text: '' }, zeroline: false, anchor: 'y', dtick: 1 },
        yaxis: { title: { text: 'loss' }, zeroline: false, anchor: 'x', domain: [0.54, 1] },
        xaxis2: { title: { text: 'epoch' }, zeroline: false, anchor: 'y2', dtick: 1, matches: 'x' },
        yaxis2: { title: { text: 'accuracy' }, zeroline: false, anchor: 'x2', domain: [0, 0.46] },
      },
    });
  });

  it('leaves bookkeeping logs (lr, throughput) out by default and draws exactly the metrics asked', () => {
    expect(traces(learningCurves([{ name: 'a', epochs: history }])).map((t) => t.yaxis)).toEqual(['y', 'y', 'y2', 'y2']);
    const onlyVal = learningCurves([{ name: 'a', epochs: history }], { metrics: ['val_accuracy'] });
    expect(traces(onlyVal).map((t) => t.y)).toEqual([[0.4, 0.7]]);
    expect(traces(learningCurves([{ name: 'a', epochs: history }], { metrics: ['lr'] })).map((t) => t.y)).toEqual([[0.01, 0.01]]);
  });

  it('overlays runs with one colour each, and pads a shorter run with null gaps', () => {
    const figure = learningCurves(
      [
        { name: 'long', epochs: [{ loss: 3 }, { loss: 2 }, { loss: 1 }] },
        { name: 'short', epochs: [{ loss: 4 }, { loss: NaN }] },
      ],
      { metrics: ['loss'] },
    );
    expect(traces(figure).map((t) => [t.name, t.x, t.y, (t.line as { color: string }).color])).toEqual([
      ['long', [1, 2, 3], [3, 2, 1], PALETTE[0]],
      ['short', [1, 2, 3], [4, null, null], PALETTE[1]],
    ]);
    // One legend entry per run; the split is on hover (and told by the dash).
    expect(traces(figure).map((t) => [t.legendgroup, t.showlegend, t.text])).toEqual([['run 1', true, 'long (train)'], ['run 2', true, 'short (train)']]);
    expect((figure.layout as { title: unknown }).title).toEqual({ text: 'Learning curve: loss' });
  });

  it('is deterministic: the same input gives the same JSON', () => {
    const a = JSON.stringify(learningCurves([{ name: 'x', epochs: history }, { name: 'y', epochs: history }]));
    const b = JSON.stringify(learningCurves([{ name: 'x', epochs: history }, { name: 'y', epochs: history }]));
    expect(a).toBe(b);
  });

  it('names an unknown metric with the template and a suggestion', () => {
    expect(() => learningCurves([{ name: 'a', epochs: history }], { metrics: ['los'] })).toThrow(
      /^Invalid value for `metrics`: expected one of "accuracy", "loss", "lr", "val_accuracy", "val_loss", received "los". Did you mean "loss"\?$/,
    );
    expect(() => learningCurves([])).toThrow(/Invalid value for `series`/);
    expect(() => learningCurves([{ name: 'a', epochs: 3 as unknown as [] }])).toThrow(/Invalid value for `series\[0\]`: expected a \{name, epochs: Logs\[\]\}/);
  });
});

describe('learningCurves and alignedHistories from a registry', () => {
  const db = makeDb();
  const a = addRun(db, { name: 'a', metrics: { loss: [[0, 1], [1, 0.5], [2, 0.25]], val_loss: [[0, 1.1], [2, 0.4]] } });
  const b = addRun(db, { name: 'b', metrics: { loss: [[0, 2], [1, null]], grad_norm: [[0, 5], [3, 4]] } });

  it('aligns runs on the shared steps, with null where a run logged nothing (or NaN)', () => {
    const figure = learningCurves(metricHistories(db, [a, b], ['loss', 'val_loss']), { labels: { [a]: 'run a' } });
    // train() logs epoch logs at step epoch - 1: the axis says epoch and counts from 1, as progress does
    expect(traces(figure).map((t) => [t.name, t.x, t.y, (t.line as { dash: string }).dash])).toEqual([
      ['run a', [1, 2, 3], [1, 0.5, 0.25], 'solid'],
      ['run a', [1, 2, 3], [1.1, null, 0.4], 'dash'],
      ['b', [1, 2, 3], [2, null, null], 'solid'], // its name, where the run has one
    ]);
    expect((figure.layout as { xaxis: { title: unknown } }).xaxis.title).toEqual({ text: 'epoch' });
    // a per-update log among them keeps the step axis, unshifted
    const mixed = learningCurves(metricHistories(db, [a, b], ['loss', 'grad_norm']));
    expect((mixed.layout as { xaxis2: { title: unknown } }).xaxis2.title).toEqual({ text: 'step' });
    expect(traces(mixed)[0].x).toEqual([0, 1, 2, 3]);
    expect(alignedHistories(metricHistories(db, [a]), { key: 'val_loss' }).layout).toMatchObject({ title: { text: 'val_loss by epoch' }, xaxis: { title: { text: 'epoch' } } });
  });

  it('alignedHistories draws one key for every run that logged it', () => {
    const figure = alignedHistories(metricHistories(db, [a, b]), { key: 'grad_norm' });
    expect(traces(figure)).toEqual([
      {
        type: 'scatter', mode: 'lines+markers', name: 'b', x: [0, 1, 2, 3], y: [5, null, null, 4],
        connectgaps: false, line: { color: PALETTE[1], width: 2 }, marker: { size: 4 },
      },
    ]);
    expect(figure.layout).toMatchObject({ title: { text: 'grad_norm by step' }, xaxis: { title: { text: 'step' } }, yaxis: { title: { text: 'grad_norm' } } });
    expect(() => alignedHistories(metricHistories(db, [a, b]), { key: 'grad' })).toThrow(
      /^Invalid value for `key`: expected one of "grad_norm", "loss", "val_loss", received "grad"\./,
    );
    expect(() => alignedHistories({} as never, { key: 'loss' })).toThrow(/Invalid value for `histories`/);
  });
});

describe('learningCurves panels and legends', () => {
  const epochs = [
    { loss: 1.0, accuracy: 0.5, val_loss: 1.2, val_accuracy: 0.4 },
    { loss: 0.5, accuracy: 0.8, val_loss: 0.7, val_accuracy: 0.7 },
  ];
  const panelKeys = (f: { data: object[] }) => traces(f).map((t) => [t.yaxis, t.y]);

  it('draws a metric and its val_ twin in one panel, asked together or apart, once', () => {
    for (const metrics of [['loss', 'val_loss'], ['val_loss', 'loss'], ['loss'], ['loss', 'loss']]) {
      const figure = learningCurves({ epochs }, { metrics });
      expect(yTitles(figure)).toEqual(['loss']);
      expect(panelKeys(figure)).toEqual([['y', [1.0, 0.5]], ['y', [1.2, 0.7]]]);
      expect((figure.layout as { title: unknown }).title).toEqual({ text: 'Learning curve: loss' });
    }
  });

  it('orders panels as first asked, and titles a lone val_ curve by its own name', () => {
    const figure = learningCurves([{ name: 'mlp', epochs }], { metrics: ['val_accuracy', 'loss', 'accuracy'] });
    expect(yTitles(figure)).toEqual(['accuracy', 'loss']);
    expect(panelKeys(figure)).toEqual([['y', [0.5, 0.8]], ['y', [0.4, 0.7]], ['y2', [1.0, 0.5]], ['y2', [1.2, 0.7]]]);
    expect(yTitles(learningCurves([{ name: 'mlp', epochs }], { metrics: ['val_accuracy', 'val_loss'] }))).toEqual(['val_accuracy', 'val_loss']);
  });

  it('takes labels by position for train() histories, and refuses labels it cannot match to runs', () => {
    const figure = learningCurves([{ epochs }, { epochs }], { metrics: ['loss'], labels: ['small', 'large'] });
    expect([...new Set(traces(figure).map((t) => String(t.name).replace(/ \((train|validation)\)$/, '')))]).toEqual(['small', 'large']);
    expect(() => learningCurves([{ epochs }], { labels: ['a', 'b'] })).toThrow(
      'Invalid value for `labels`: expected an array of 1 non-empty name, one per run in order, received an array of 2.',
    );
    expect(() => learningCurves([{ epochs }], { labels: { 1: 'a' } })).toThrow(/^Invalid value for `labels`: expected an array of names, one per history/);
  });
});

describe("learningCurves of metricHistories: the request and the runs' names", () => {
  const db = makeDb();
  const metrics = { val_loss: [[0, 0.9], [1, 0.6]], val_accuracy: [[0, 0.7], [1, 0.8]], loss: [[0, 1], [1, 0.5]] } as { [key: string]: [number, number][] };
  const mlp = addRun(db, { experiment: 'mnist', name: 'mlp', metrics });
  const cnn = addRun(db, { experiment: 'mnist', name: 'cnn', metrics });
  const unnamed = addRun(db, { experiment: 'fashion', name: null, metrics });
  const twin = addRun(db, { experiment: 'mnist', name: 'mlp', metrics });

  it('draws the keys asked of metricHistories in the order asked, each titled by its own name', () => {
    const figure = learningCurves(metricHistories(db, [mlp, cnn], ['val_accuracy', 'val_loss']));
    expect(yTitles(figure)).toEqual(['val_accuracy', 'val_loss']);
    expect(traces(figure).map((t) => [t.yaxis, t.y])).toEqual([
      ['y', [0.7, 0.8]], ['y', [0.7, 0.8]], ['y2', [0.9, 0.6]], ['y2', [0.9, 0.6]],
    ]);
    // Without keys, loss comes first, as ever (val_accuracy alone: no training accuracy was logged).
    expect(yTitles(learningCurves(metricHistories(db, [mlp])))).toEqual(['loss', 'val_accuracy']);
  });

  it("names each run's curves by its name, else its experiment, and tells apart runs that share one", () => {
    const names = (ids: number[], labels?: object) =>
      [...new Set(traces(learningCurves(metricHistories(db, ids, ['val_loss']), labels as never)).map((t) => String(t.name).replace(/ \((train|validation)\)$/, '')))];
    expect(names([mlp, cnn])).toEqual(['mlp', 'cnn']);
    expect(names([unnamed, cnn])).toEqual(['fashion', 'cnn']);
    expect(names([mlp, twin])).toEqual([`mlp #${mlp}`, `mlp #${twin}`]);
    expect(names([mlp, cnn], { labels: { [cnn]: 'conv net' } })).toEqual(['mlp', 'conv net']);
    expect(names([mlp, cnn], { labels: ['A', 'B'] })).toEqual(['A', 'B']);
  });
});

const yTitles = (f: { layout: object }) =>
  Object.entries(f.layout as { [key: string]: { title?: { text: string } } })
    .filter(([k]) => /^yaxis\d*$/.test(k))
    .map(([, axis]) => axis.title?.text);
