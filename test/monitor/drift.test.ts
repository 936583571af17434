/** Drift statistics against scipy (and Evidently's rules as mirrored in test/fixtures/monitor/make_drift_reference.py). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import * as monitor from '../../kernel-lib/src/monitor';
import { kolmogorovSf } from '../../kernel-lib/src/monitor/drift/kolmogorov';
import { smirnovSf } from '../../kernel-lib/src/monitor/drift/smirnov';
import { chiSquaredSf, normalSf } from '../../kernel-lib/src/monitor/drift/special';
import { labbookError } from '../helpers';

type Num = number | string;
interface Expected {
  method: string;
  kind: string;
  statistic: Num;
  pValue: Num | null;
  threshold: number;
  drifted: boolean;
  reference: { rows: number; missing: number };
  current: { rows: number; missing: number };
  evidentlyPValue?: Num;
}
interface Case {
  name: string;
  reference: (number | string | null)[];
  current: (number | string | null)[];
  options: monitor.FeatureDriftOptions;
  expected: Expected;
}
const reference = JSON.parse(readFileSync(join(__dirname, '../fixtures/monitor/drift-reference.json'), 'utf8')) as {
  cases: Case[];
  dataset: { reference: monitor.DriftColumns; current: monitor.DriftColumns; expected: { features: Record<string, Expected>; driftedFeatures: number; share: number; drifted: boolean } };
  kstwo: { n: number; x: number; sf: Num }[];
  smirnov: { n: number; x: number; sf: Num }[];
  chi2: { x: number; df: number; sf: Num }[];
  normalSf: { z: number; sf: Num }[];
};

/** JSON cannot hold NaN or infinities; the generator writes them as strings. */
function decode(value: Num): number {
  return typeof value === 'number' ? value : Number(value);
}
function decodeValues(values: (number | string | null)[], numeric: boolean): (number | string | null)[] {
  return numeric ? values.map((v) => (v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : v)) : values;
}

/** Within 1e-9 relative (1e-300 absolute, where both underflow towards 0). */
function expectClose(actual: number | null, expected: Num | null, what: string): void {
  if (expected === null) {
    expect(actual, what).toBeNull();
    return;
  }
  const want = decode(expected);
  if (!Number.isFinite(want)) {
    expect(actual, what).toBe(want);
    return;
  }
  const diff = Math.abs((actual as number) - want);
  expect(diff, `${what}: ${actual} vs scipy ${want}`).toBeLessThanOrEqual(Math.max(1e-9 * Math.abs(want), 1e-300));
}

describe('featureDrift matches scipy under Evidently defaults', () => {
  for (const c of reference.cases) {
    it(c.name, () => {
      const numeric = c.expected.kind === 'numerical' || c.reference.some((v) => typeof v === 'number');
      const result = monitor.featureDrift(decodeValues(c.reference, numeric), decodeValues(c.current, numeric), c.options);
      expect(result.method).toBe(c.expected.method);
      expect(result.kind).toBe(c.expected.kind);
      expect(result.threshold).toBe(c.expected.threshold);
      expect(result.reference).toEqual(c.expected.reference);
      expect(result.current).toEqual(c.expected.current);
      expectClose(result.statistic, c.expected.statistic, 'statistic');
      expectClose(result.pValue, c.expected.pValue, 'pValue');
      expect(result.drifted).toBe(c.expected.drifted);
      // Evidently's own z p-value, 2 * (1 - cdf), is the same number up to the digits that subtraction loses.
      if (c.expected.evidentlyPValue !== undefined) {
        expect(Math.abs((result.pValue as number) - decode(c.expected.evidentlyPValue))).toBeLessThan(1e-15);
      }
    });
  }
});

describe('datasetDrift', () => {
  it("tests every feature and applies Evidently's drift_share (0.5, inclusive)", () => {
    const { dataset } = reference;
    const result = monitor.datasetDrift(dataset.reference, dataset.current);
    expect(Object.keys(result.features).sort()).toEqual(Object.keys(dataset.expected.features).sort());
    for (const [name, want] of Object.entries(dataset.expected.features)) {
      const got = result.features[name];
      expect([name, got.method, got.kind, got.drifted]).toEqual([name, want.method, want.kind, want.drifted]);
      expectClose(got.statistic, want.statistic, `${name} statistic`);
      expectClose(got.pValue, want.pValue, `${name} pValue`);
    }
    expect(result.driftedFeatures).toBe(dataset.expected.driftedFeatures);
    expect(result.share).toBe(dataset.expected.share);
    expect(result.drifted).toBe(dataset.expected.drifted);
    expect(monitor.datasetDrift(dataset.reference, dataset.current, { driftShare: 0.75 }).drifted).toBe(false);
  });

  it('skips a feature present on one side only and names it', () => {
    const result = monitor.datasetDrift({ a: [1.5, 2.5, 3.5, 4.5, 5.5, 6.5], extra: ['x'] }, { a: [1.5, 2.5, 3.5, 4.5, 5.5, 7.5] });
    expect(Object.keys(result.features)).toEqual(['a']);
    expect(result.skipped).toEqual(['extra']);
  });

  it('takes per-feature kinds, methods and thresholds', () => {
    const ref = { x: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], y: ['a', 'b', 'a', 'b', 'a', 'c', 'c'] };
    const cur = { x: [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], y: ['a', 'a', 'a', 'b', 'b', 'c', 'c'] };
    const result = monitor.datasetDrift(ref, cur, { methods: { x: 'psi' }, thresholds: { y: 0.9 }, kinds: { x: 'categorical' } });
    expect([result.features.x.method, result.features.x.kind]).toEqual(['psi', 'categorical']);
    expect([result.features.y.method, result.features.y.threshold]).toEqual(['chisquare', 0.9]);
  });

  it('runs 50 features of 10,000 rows each', () => {
    // Deterministic values without any random generator: a low-discrepancy sequence per feature.
    const column = (f: number, shift: number) => Array.from({ length: 10_000 }, (_, i) => ((i * 0.6180339887 + f * 0.1) % 1) + shift);
    const ref: Record<string, number[]> = {};
    const cur: Record<string, number[]> = {};
    for (let f = 0; f < 50; f++) {
      ref[`f${f}`] = column(f, 0);
      cur[`f${f}`] = column(f + 3, f % 2 === 0 ? 0.5 : 0);
    }
    const result = monitor.datasetDrift(ref, cur);
    expect(Object.keys(result.features)).toHaveLength(50);
    expect(result.features.f0.method).toBe('wasserstein');
    expect(result.driftedFeatures).toBe(25);
  });
});

describe('special functions against scipy', () => {
  it('kstwo.sf over every branch scipy takes', () => {
    for (const { n, x, sf } of reference.kstwo) expectClose(kolmogorovSf(n, x), sf, `kstwo.sf(${x}, ${n})`);
  });
  it('smirnov', () => {
    for (const { n, x, sf } of reference.smirnov) expectClose(smirnovSf(n, x), sf, `smirnov(${n}, ${x})`);
  });
  it('chi2.sf', () => {
    for (const { x, df, sf } of reference.chi2) expectClose(chiSquaredSf(x, df), sf, `chi2.sf(${x}, ${df})`);
  });
  it('norm.sf', () => {
    for (const { z, sf } of reference.normalSf) expectClose(normalSf(z), sf, `norm.sf(${z})`);
  });
});

const errorOf = (fn: () => unknown): LabbookError => labbookError(fn);

describe('bad input', () => {
  it('refuses an empty column and one with nothing but missing values', () => {
    expect(errorOf(() => monitor.featureDrift([], [1, 2])).message).toBe(
      'Invalid value for `reference`: expected at least one value that is not missing, received 0 rows, all null, NaN or infinite. Drift needs values on both sides; leave this feature out.',
    );
    expect(errorOf(() => monitor.featureDrift([1, 2], [null, Number.NaN, Number.POSITIVE_INFINITY])).message).toContain(
      '`current`: expected at least one value that is not missing, received 3 rows',
    );
  });

  it('refuses numbers mixed with strings, within a column and across the two', () => {
    const err = errorOf(() => monitor.featureDrift([1, 'a', 2], [1, 2]));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe(
      'Invalid value for `reference`: expected all numbers or all strings, received 2 numbers and 1 strings (the first string at index 1). Make the column one type: numbers as numbers, or every value as a string for a categorical feature.',
    );
    expect(errorOf(() => monitor.featureDrift(['a', 'b'], [1, 2])).message).toBe(
      'Invalid value for `current`: expected strings like the reference, received numbers. Give the feature the same type on both sides.',
    );
    expect(errorOf(() => monitor.featureDrift([true as unknown as number], [1])).message).toContain('`reference[0]`: expected a number, a string or null, received true');
  });

  it('refuses an unknown method, a method for the other kind and strings as numerical', () => {
    expect(errorOf(() => monitor.featureDrift([1, 2], [1, 2], { method: 'anderson' as monitor.DriftMethod })).message).toBe(
      'Invalid value for `method`: expected one of ks, chisquare, z, wasserstein, jensenshannon, psi, received "anderson". Pass one of those, or leave it out for Evidently\'s default.',
    );
    expect(errorOf(() => monitor.featureDrift(['a', 'b'], ['a'], { method: 'ks' })).message).toBe(
      'Invalid value for `method`: expected a test for a categorical feature (chisquare, z, jensenshannon, psi), received "ks", which takes numerical features only. Pick one of those or pass `kind`.',
    );
    expect(errorOf(() => monitor.featureDrift(['a'], ['b'], { kind: 'numerical' })).message).toContain('expected "categorical" for a feature of strings');
    expect(errorOf(() => monitor.featureDrift([1], [2], { threshold: -1 })).message).toContain('`threshold`: expected a finite number ≥ 0, received -1');
  });

  it('names the feature in dataset errors and refuses a feature missing on one side', () => {
    expect(errorOf(() => monitor.datasetDrift({ a: [1, 'x'] }, { a: [1] })).message).toContain('`reference.a`');
    expect(errorOf(() => monitor.datasetDrift({ a: [1.5] }, { a: [2.5] }, { methods: { a: 'chisquare' } })).message).toContain('`methods.a`');
    const missing = errorOf(() => monitor.datasetDrift({ a: [1] }, { a: [1] }, { features: ['a', 'b'] }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('received "b", which the reference data lacks');
    expect(errorOf(() => monitor.datasetDrift([] as unknown as monitor.DriftColumns, {})).message).toContain('expected columns by feature name');
  });
});
