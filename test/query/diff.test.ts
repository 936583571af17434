import { beforeAll, describe, expect, it } from 'vitest';
import { diffRuns } from '../../kernel-lib/src/query';
import type { Db } from '../../kernel-lib/src/registry/database';
import { addRun, makeDb } from './fixture';

let db: Db;
let a: number, b: number, c: number, lone: number;
const ds = (sha256: string, rows = 100) => ({ name: 'train', sha256, rows, columns: 4 });

beforeAll(() => {
  db = makeDb();
  const env = { node: '20.1.0', os: { platform: 'linux', arch: 'x64' } };
  a = addRun(db, {
    config: { lr: 0.1, optimizer: 'adam', model: { units: 32 }, layers: [4, 2] },
    env,
    codeHash: 'code-1',
    metrics: { acc: [[0, 0.5], [1, 0.8]], loss: [[1, 0.4]] },
    datasets: [ds('d1'), { name: 'test', sha256: 't1', rows: 10, columns: 4 }],
    checkpoints: [{ step: 1, sha256: 'early' }, { step: 9, sha256: 'final' }],
  });
  b = addRun(db, {
    config: { lr: 0.01, optimizer: 'adam', model: { units: 32 }, layers: [4, 2], extra: true },
    env: { ...env, os: { platform: 'linux', arch: 'arm64' } },
    codeHash: 'code-1',
    metrics: { acc: [[0, 0.6]] },
    datasets: [ds('d2', 120), { name: 'test', sha256: 't1', rows: 10, columns: 4 }],
    checkpoints: [{ step: 9, sha256: 'final' }, { step: 2, sha256: 'other' }],
  });
  c = addRun(db, {
    config: { lr: 0.1, optimizer: 'adam', model: { units: 32 }, layers: [4, 2] },
    env,
    codeHash: 'code-1',
    metrics: { acc: [[0, 0.5], [1, 0.8]], loss: [[1, 0.4]] },
    datasets: [ds('d1'), { name: 'test', sha256: 't1', rows: 10, columns: 4 }],
    checkpoints: [{ step: 9, sha256: 'final' }],
  });
  lone = addRun(db, { config: { lr: 0.1 }, codeHash: null });
});

describe('diffRuns', () => {
  it('keeps only what differs by default', () => {
    const diff = diffRuns(db, [a, b]);
    expect(diff.runs).toEqual([a, b]);
    expect(diff.config).toEqual({ extra: [null, true], lr: [0.1, 0.01] });
    expect(diff.env).toEqual({ 'os.arch': ['x64', 'arm64'] });
    expect(diff.datasets).toEqual({
      train: [{ sha256: 'd1', rows: 100, columns: 4 }, { sha256: 'd2', rows: 120, columns: 4 }],
    });
    expect(diff.codeHash).toEqual(['code-1', 'code-1']);
  });

  it('gives latest metric values and deltas relative to the first run', () => {
    const { metrics } = diffRuns(db, [a, b]);
    expect(metrics.acc.values).toEqual([0.8, 0.6]);
    expect(metrics.acc.deltas[0]).toBe(0);
    expect(metrics.acc.deltas[1]).toBeCloseTo(-0.2);
    expect(metrics.loss).toEqual({ values: [0.4, null], deltas: [0, null] });
  });

  it('compares final (highest-step) checkpoints', () => {
    const ab = diffRuns(db, [a, b]);
    expect(ab.checkpoints).toEqual(['final', 'final']);
    expect(ab.checkpointEqual).toBe(true);
    const abl = diffRuns(db, [a, b, lone]);
    expect(abl.checkpoints).toEqual(['final', 'final', null]);
    expect(abl.checkpointEqual).toBe(false);
  });

  it('reports nothing differing for identical runs, and everything with all', () => {
    const same = diffRuns(db, [a, c]);
    expect(same.config).toEqual({});
    expect(same.env).toEqual({});
    expect(same.datasets).toEqual({});
    expect(same.checkpointEqual).toBe(true);
    const all = diffRuns(db, [a, c], { all: true });
    expect(all.config).toEqual({
      layers: [[4, 2], [4, 2]],
      lr: [0.1, 0.1],
      'model.units': [32, 32],
      optimizer: ['adam', 'adam'],
    });
    expect(all.env).toEqual({ node: ['20.1.0', '20.1.0'], 'os.arch': ['x64', 'x64'], 'os.platform': ['linux', 'linux'] });
    expect(Object.keys(all.datasets)).toEqual(['test', 'train']);
  });

  it('shows a dataset one run lacks as null', () => {
    expect(diffRuns(db, [a, lone]).datasets.test).toEqual([{ sha256: 't1', rows: 10, columns: 4 }, null]);
  });

  it('rejects fewer than two ids and unknown runs', () => {
    expect(() => diffRuns(db, [a])).toThrow(/Invalid value for `ids`: expected an array of 2 or more run ids/);
    expect(() => diffRuns(db, [a, 0.5])).toThrow(/`ids`/);
    expect(() => diffRuns(db, [a, 9999])).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
