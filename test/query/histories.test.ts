import { beforeAll, describe, expect, it } from 'vitest';
import { metricHistories } from '../../kernel-lib/src/query';
import type { Db } from '../../kernel-lib/src/registry/database';
import { addRun, makeDb } from './fixture';

let db: Db;
let a: number, b: number;

beforeAll(() => {
  db = makeDb();
  a = addRun(db, { metrics: { loss: [[0, 1], [10, 0.5], [20, 0.25]], acc: [[10, 0.4], [20, 0.6]] } });
  b = addRun(db, { metrics: { loss: [[0, 2], [5, null], [20, 1]] } });
});

describe('metricHistories', () => {
  it('aligns every series to the sorted union of steps, null where a run has no point', () => {
    expect(metricHistories(db, [a, b])).toEqual({
      steps: [0, 5, 10, 20],
      series: [
        { runId: a, key: 'acc', values: [null, null, 0.4, 0.6] },
        { runId: a, key: 'loss', values: [1, null, 0.5, 0.25] },
        { runId: b, key: 'loss', values: [2, null, null, 1] },
      ],
      keys: null,
      runs: [{ id: a, name: null, experiment: 'mnist' }, { id: b, name: null, experiment: 'mnist' }],
    });
  });

  it('keeps the order of the ids asked for and only the keys asked for', () => {
    const { steps, series } = metricHistories(db, [b, a], ['loss']);
    expect(steps).toEqual([0, 5, 10, 20]);
    expect(series.map((s) => [s.runId, s.key])).toEqual([[b, 'loss'], [a, 'loss']]);
  });

  it('is empty for keys nobody logged', () => {
    expect(metricHistories(db, [a, b], ['nope'])).toMatchObject({ steps: [], series: [], keys: ['nope'] });
  });

  it('says which keys were asked, in the order asked, and names the runs for legends', () => {
    const named = addRun(db, { experiment: 'fashion', name: 'cnn', metrics: { loss: [[0, 1]] } });
    const h = metricHistories(db, [named, a], ['val_loss', 'loss', 'val_loss']);
    expect(h.keys).toEqual(['val_loss', 'loss']);
    expect(h.runs).toEqual([{ id: named, name: 'cnn', experiment: 'fashion' }, { id: a, name: null, experiment: 'mnist' }]);
  });

  it('rejects unknown runs and bad keys', () => {
    expect(() => metricHistories(db, [a, 404, 405])).toThrow(/No runs with id 404, 405/);
    expect(() => metricHistories(db, [a], 'loss' as unknown as string[])).toThrow(/Invalid value for `keys`/);
  });
});
