import { beforeAll, describe, expect, it } from 'vitest';
import { runsFrame, runsTable, searchRuns, type RunSummary } from '../../kernel-lib/src/query';
import { addRun, makeDb } from './fixture';

let summaries: RunSummary[];

beforeAll(() => {
  const db = makeDb();
  addRun(db, {
    name: 'one',
    seed: 1,
    startedAt: 1000,
    config: { lr: 0.1, model: { units: 32 }, shuffle: true, act: 'relu' },
    metrics: { acc: [[0, 0.5]] },
  });
  addRun(db, {
    seed: 2,
    startedAt: 2000,
    experiment: 'cifar',
    config: { lr: 0.01, layers: [8, 4], act: 3 },
    metrics: { acc: [[0, 0.7]], loss: [[0, 1.5]] },
  });
  summaries = searchRuns(db, { sort: 'id' });
});

describe('runsTable', () => {
  it('has the run columns, then the union of flattened config keys, then metrics', () => {
    const table = runsTable(summaries);
    expect(table.columns).toEqual([
      'id', 'experiment', 'name', 'status', 'seed', 'started_at',
      'config.act', 'config.layers', 'config.lr', 'config.model.units', 'config.shuffle',
      'metrics.acc', 'metrics.loss',
    ]);
    expect(table.rows).toEqual([
      [1, 'mnist', 'one', 'finished', 1, 1000, 'relu', null, 0.1, 32, true, 0.5, null],
      [2, 'cifar', null, 'finished', 2, 2000, 3, '[8,4]', 0.01, null, null, 0.7, 1.5],
    ]);
  });

  it('is empty but well formed for no runs', () => {
    expect(runsTable([])).toEqual({ columns: ['id', 'experiment', 'name', 'status', 'seed', 'started_at'], rows: [] });
  });
});

describe('runsFrame', () => {
  it('is a danfo DataFrame of the same table, missing numbers as NaN', () => {
    const frame = runsFrame(summaries);
    expect(frame.shape).toEqual([2, 13]);
    expect(frame.columns).toEqual(runsTable(summaries).columns);
    expect(frame['config.lr'].values).toEqual([0.1, 0.01]);
    expect(frame['metrics.loss'].values).toEqual([NaN, 1.5]);
    expect(frame['config.model.units'].values).toEqual([32, NaN]);
    // A key holding text in one run and a number in another is all text, so its dtype is honest.
    expect(frame['config.act'].values).toEqual(['relu', '3']);
    expect(frame['config.act'].dtype).toBe('string');
    expect(frame['metrics.acc'].mean()).toBeCloseTo(0.6);
  });
});
