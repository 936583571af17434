import { describe, expect, it } from 'vitest';
// Loaded here, not first inside withoutMathRandom: each tfjs bundle's seedrandom draws
// Math.random once when the module loads.
import '@tensorflow/tfjs';
import 'danfojs-node';
import { fingerprint, loadIris, splitFrame, splitIndices } from '../../kernel-lib/src/data';
import { createRng } from '../../kernel-lib/src/repro/rng';
import { withoutMathRandom } from './fixtures';

function counts(labels: readonly unknown[], indices: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of indices) out[String(labels[i])] = (out[String(labels[i])] ?? 0) + 1;
  return out;
}

describe('splitIndices', () => {
  it('partitions 0..n-1 by the fractions, in shuffled order', () => {
    const s = splitIndices(10, { train: 0.7, validation: 0.1, test: 0.2 }, 42);
    expect(s.train).toHaveLength(7);
    expect(s.validation).toHaveLength(1);
    expect(s.test).toHaveLength(2);
    const all = [...s.train, ...(s.validation ?? []), ...(s.test ?? [])].sort((a, b) => a - b);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s.train).not.toEqual([...s.train].sort((a, b) => a - b));
  });

  it('is deterministic per seed, differs across seeds, and never calls Math.random', () => {
    const labels = Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? 'rare' : i % 2 ? 'odd' : 'even'));
    const a = withoutMathRandom(() => splitIndices(200, { train: 0.6, validation: 0.2, test: 0.2 }, 7, labels));
    const b = withoutMathRandom(() => splitIndices(200, { train: 0.6, validation: 0.2, test: 0.2 }, 7, labels));
    const c = splitIndices(200, { train: 0.6, validation: 0.2, test: 0.2 }, 8, labels);
    expect(b).toEqual(a);
    expect(c.train).not.toEqual(a.train);
    // A pinned value: the split of a given seed must not change between labbook versions.
    expect(splitIndices(8, { train: 0.5, test: 0.5 }, 1)).toEqual({ train: [6, 2, 3, 7], test: [4, 0, 5, 1] });
  });

  it('stratifies: each split holds each class in proportion', () => {
    // 600 / 300 / 100 rows of three classes.
    const labels = Array.from({ length: 1000 }, (_, i) => (i < 600 ? 'a' : i < 900 ? 'b' : 'c'));
    const s = splitIndices(1000, { train: 0.7, validation: 0.15, test: 0.15 }, 3, labels);
    expect(counts(labels, s.train)).toEqual({ a: 420, b: 210, c: 70 });
    expect(counts(labels, s.validation ?? [])).toEqual({ a: 90, b: 45, c: 15 });
    expect(counts(labels, s.test ?? [])).toEqual({ a: 90, b: 45, c: 15 });
  });

  it('keeps every class in every split when it has enough rows, and split sizes exact', () => {
    // 95 of one class, 3 of another, 2 of a third: 80/10/10.
    const labels = [...Array(95).fill(0), 1, 1, 1, 2, 2];
    const s = splitIndices(100, { train: 0.8, validation: 0.1, test: 0.1 }, 11, labels);
    expect([s.train.length, s.validation?.length, s.test?.length]).toEqual([80, 10, 10]);
    expect(Object.keys(counts(labels, s.train)).sort()).toEqual(['0', '1', '2']);
    expect(Object.keys(counts(labels, s.validation ?? []))).toContain('1');
    expect(Object.keys(counts(labels, s.test ?? []))).toContain('1');
  });

  it('on random class mixes: a partition, exact split sizes, every class everywhere when it can be', () => {
    const rng = createRng(2024);
    for (let trial = 0; trial < 300; trial++) {
      const sizes = Array.from({ length: 1 + rng.int(5) }, () => 1 + rng.int(rng.next() < 0.3 ? 5 : 120));
      const labels = sizes.flatMap((size, k) => Array<number>(size).fill(k));
      const n = labels.length;
      const s = splitIndices(n, { train: 0.6, validation: 0.2, test: 0.2 }, trial + 1, labels);
      const parts = [s.train, s.validation ?? [], s.test ?? []];
      expect(parts.flat().sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
      // Stratifying moves rows between classes, never between splits: sizes as without labels.
      const plain = splitIndices(n, { train: 0.6, validation: 0.2, test: 0.2 }, 1);
      expect(parts.map((p) => p.length)).toEqual([plain.train.length, plain.validation?.length, plain.test?.length]);
      for (const part of parts) {
        if (part.length < sizes.length) continue;
        const present = new Set(part.map((i) => labels[i]));
        sizes.forEach((size, k) => {
          if (size >= 3) expect(present.has(k)).toBe(true);
        });
      }
    }
  });

  it('refuses fractions that do not sum to 1 and labels of another length', () => {
    expect(() => splitIndices(10, { train: 0.7, test: 0.2 }, 1)).toThrow('Invalid value for `fractions`: expected train, validation and test fractions that sum to 1, received 0.8999999999999999. Given: train 0.7 + test 0.2.');
    expect(() => splitIndices(10, { train: 0.5, test: 0.5 }, 1, [1, 2])).toThrow('expected 10 labels, one per row');
    expect(() => splitIndices(10, { train: 1 }, -1)).toThrow('Invalid value for `seed`');
  });
});

describe('splitFrame', () => {
  it('splits iris 120/15/15 stratified by species, deterministically, keeping dtypes and index labels', () => {
    const iris = loadIris();
    try {
      const a = withoutMathRandom(() => splitFrame(iris.frame, { train: 0.8, validation: 0.1, test: 0.1, seed: 5, stratify: 'species' }));
      const b = splitFrame(iris.frame, { train: 0.8, validation: 0.1, test: 0.1, seed: 5, stratify: 'species' });
      expect(a.train.shape).toEqual([120, 5]);
      expect(a.validation?.shape).toEqual([15, 5]);
      expect(a.test?.shape).toEqual([15, 5]);
      expect(a.train.dtypes).toEqual(iris.frame.dtypes);
      expect(fingerprint(b.train)).toEqual(fingerprint(a.train));
      expect(a.train.index).toEqual(a.indices.train);
      const species = (iris.frame.values as unknown[][]).map((row) => row[4]);
      expect(counts(species, a.indices.train)).toEqual({ setosa: 40, versicolor: 40, virginica: 40 });
      expect(counts(species, a.indices.test ?? [])).toEqual({ setosa: 5, versicolor: 5, virginica: 5 });
      const other = splitFrame(iris.frame, { train: 0.8, validation: 0.1, test: 0.1, seed: 6, stratify: 'species' });
      expect(fingerprint(other.train).sha256).not.toBe(fingerprint(a.train).sha256);
    } finally {
      iris.x?.dispose();
      iris.y?.dispose();
    }
  });

  it('names an unknown stratify column', () => {
    const iris = loadIris();
    iris.x?.dispose();
    iris.y?.dispose();
    expect(() => splitFrame(iris.frame, { train: 0.5, test: 0.5, seed: 1, stratify: 'class' })).toThrow('Invalid value for `stratify`: expected one of the frame\'s columns');
  });
});
