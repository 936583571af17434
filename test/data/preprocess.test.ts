import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataFrame } from 'danfojs-node';
import {
  fingerprint,
  LabelEncoder,
  loadCsv,
  loadPenguins,
  MinMaxScaler,
  OneHotEncoder,
  Pipeline,
  splitFrame,
  Standardizer,
  toTensors,
  type Dataset,
} from '../../kernel-lib/src/data';
import { fixture } from './fixtures';

const MEASURES = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];

let penguins: Dataset;
let train: DataFrame;
let test: DataFrame;

function column(frame: DataFrame, name: string): unknown[] {
  const c = frame.columns.indexOf(name);
  if (c === -1) throw new Error(`no column ${name}`);
  return (frame.values as unknown[][]).map((row) => row[c]);
}

function mean(values: unknown[]): number {
  return (values as number[]).reduce((a, b) => a + b, 0) / values.length;
}

beforeAll(() => {
  penguins = loadPenguins();
  const split = splitFrame(penguins.frame, { train: 0.8, test: 0.2, seed: 99, stratify: 'Species' });
  train = split.train;
  test = split.test as DataFrame;
});

afterAll(() => {
  penguins.x?.dispose();
  penguins.y?.dispose();
});

describe('scalers, fitted on the training split only', () => {
  it('Standardizer learns the training split\'s mean and population std, not the whole data\'s', () => {
    const scaler = new Standardizer().fit(train, MEASURES);
    const state = scaler.toJSON();
    MEASURES.forEach((name, i) => {
      const values = column(train, name) as number[];
      const m = mean(values);
      const std = Math.sqrt(mean(values.map((v) => (v - m) ** 2)));
      expect(state.mean[i]).toBeCloseTo(m, 10);
      expect(state.scale[i]).toBeCloseTo(std, 10);
      expect(state.mean[i]).not.toBe(mean(column(penguins.frame, name)));
    });
    const scaled = scaler.transform(train);
    for (const name of MEASURES) expect(Math.abs(mean(column(scaled, name)))).toBeLessThan(1e-9);
    // The test split is scaled with the training statistics, so its mean is not exactly 0.
    expect(Math.abs(mean(column(scaler.transform(test), 'Body Mass (g)')))).toBeGreaterThan(1e-6);
    expect(scaled.dtypes[scaled.columns.indexOf('Body Mass (g)')]).toBe('float32');
    expect(column(scaled, 'Species')).toEqual(column(train, 'Species'));
  });

  it('a constant column is centred, never divided by zero', () => {
    const frame = loadCsv(fixture('constant.csv', 'k,v\n0.1,1\n0.1,2\n0.1,3\n'));
    const scaled = new Standardizer().fitTransform(frame, ['k', 'v']);
    expect(column(scaled, 'k')).toEqual([0, 0, 0]);
    expect(column(new MinMaxScaler().fitTransform(frame, ['k']), 'k')).toEqual([0, 0, 0]);
  });

  it('MinMaxScaler maps the training range to 0..1 and keeps missing values NaN', () => {
    const frame = loadCsv(fixture('minmax.csv', 'v\n2\n4\nNA\n6\n'));
    const scaler = new MinMaxScaler().fit(frame, ['v']);
    expect(column(scaler.transform(frame), 'v')).toEqual([0, 0.5, NaN, 1]);
    expect(scaler.toJSON()).toEqual({ kind: 'minmax', version: 1, columns: ['v'], min: [2], scale: [4] });
  });

  it('refuses a text column and an unfitted transform', () => {
    expect(() => new Standardizer().fit(train, ['Island'])).toThrow('Invalid value for `Island`: expected a numeric column (float32 or int32) for standardizer, received "a string column".');
    expect(() => new Standardizer().transform(train)).toThrow('expected a fitted transformer');
  });
});

describe('encoders', () => {
  it('OneHotEncoder: sorted categories, 0/1 columns in place, unknown values refused or ignored', () => {
    const encoder = new OneHotEncoder().fit(train, ['Island']);
    expect(encoder.categoriesOf('Island')).toEqual(['Biscoe', 'Dream', 'Torgersen']);
    const out = encoder.transform(test);
    expect(out.columns.slice(0, 4)).toEqual(['Species', 'Island_Biscoe', 'Island_Dream', 'Island_Torgersen']);
    const rows = out.values as number[][];
    for (const row of rows) expect(row[1] + row[2] + row[3]).toBe(1);
    const odd = loadCsv(fixture('island.csv', 'Island\nDream\nAtlantis\n'));
    expect(() => encoder.transform(odd)).toThrow('Invalid value for `Island` at row 1: expected one of "Biscoe", "Dream", "Torgersen" (the categories seen when fitting), received "Atlantis".');
    const lenient = new OneHotEncoder({ unknown: 'ignore' }).fit(train, ['Island']);
    expect(lenient.transform(odd).values).toEqual([[0, 1, 0], [0, 0, 0]]);
  });

  it('LabelEncoder: int32 codes of sorted classes, inverse, and -1 for unknown under ignore', () => {
    const encoder = new LabelEncoder().fit(train, ['Species']);
    expect(encoder.classes()).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const coded = encoder.transform(test);
    expect(coded.dtypes[coded.columns.indexOf('Species')]).toBe('int32');
    const codes = column(coded, 'Species') as number[];
    expect(encoder.inverse(codes)).toEqual(column(test, 'Species'));
    const odd = loadCsv(fixture('species.csv', 'Species\nGentoo\nEmperor\n'));
    expect(() => encoder.transform(odd)).toThrow('received "Emperor"');
    expect(column(new LabelEncoder({ unknown: 'ignore' }).fit(train, ['Species']).transform(odd), 'Species')).toEqual([2, -1]);
  });
});

describe('Pipeline', () => {
  function pipeline(): Pipeline {
    return new Pipeline()
      .add(new OneHotEncoder(), ['Island', 'Sex'])
      .add(new Standardizer(), MEASURES)
      .add(new LabelEncoder(), ['Species']);
  }

  it('fits each step on the training split and round-trips through JSON to an equal transform', () => {
    const fitted = pipeline().fit(train);
    const state = fitted.toJSON();
    const restored = Pipeline.fromJSON(JSON.parse(JSON.stringify(state)));
    expect(restored.toJSON()).toEqual(state);
    expect(fingerprint(restored.transform(test))).toEqual(fingerprint(fitted.transform(test)));
    expect(state.steps.map((s) => s.kind)).toEqual(['onehot', 'standardizer', 'label']);
    // Fitting on another split gives other statistics.
    expect(pipeline().fit(test).toJSON()).not.toEqual(state);
  });

  it('feeds toTensors: float32 features and int32 class labels', () => {
    const fitted = pipeline();
    const frame = fitted.fitTransform(train);
    const features = frame.columns.filter((c) => c !== 'Species');
    expect(features).toHaveLength(4 + 3 + 2);
    const { x, y } = toTensors(frame, { features, target: 'Species', targetType: 'class' });
    try {
      expect(x.shape).toEqual([train.shape[0], 9]);
      expect(x.dtype).toBe('float32');
      expect(y.dtype).toBe('int32');
      expect(Array.from(y.dataSync())).toEqual(column(frame, 'Species'));
    } finally {
      x.dispose();
      y.dispose();
    }
  });
});

describe('toTensors', () => {
  it('regression targets as float32, booleans as 1/0', () => {
    const frame = loadCsv(fixture('reg.csv', 'a,b,t\n1,true,0.5\n2,false,1.5\n'));
    const { x, y } = toTensors(frame, { features: ['b', 'a'], target: 't', targetType: 'regression' });
    expect(Array.from(x.dataSync())).toEqual([1, 1, 0, 2]);
    expect(y.dtype).toBe('float32');
    expect(Array.from(y.dataSync())).toEqual([0.5, 1.5]);
    x.dispose();
    y.dispose();
  });

  it('refuses missing features, text features and text class labels, naming the row', () => {
    const frame = loadCsv(fixture('holes.csv', 'a,s,t\n1,x,0\n,y,1\n'));
    expect(() => toTensors(frame, { features: ['a'], target: 't', targetType: 'class' })).toThrow('Invalid value for `features.a`: expected numeric or boolean values with none missing, received NaN. At row 1');
    expect(() => toTensors(frame, { features: ['s'], target: 't', targetType: 'class' })).toThrow('received "x"');
    expect(() => toTensors(frame, { features: ['t'], target: 's', targetType: 'class' })).toThrow('Encode the classes with LabelEncoder first.');
  });
});
