/** Seeded, deterministic train/validation/test splits of indices and frames, stratified on request. */
import type { DataFrame } from 'danfojs-node';
import { invalidArgument } from '../errors';
import { createRng, type Rng } from '../repro/rng';
import { checkSeed, deriveSeed } from '../repro/seed';
import { apportion, apportionClasses } from './allocate';
import { checkFrame, frameRows, missingColumn, takeRows } from './frame';

export interface SplitFractions {
  train: number;
  validation?: number;
  test?: number;
}

export interface IndexSplits {
  train: number[];
  validation?: number[];
  test?: number[];
}

export interface SplitOptions extends SplitFractions {
  /** The run's seed (or any seed); the split draws from deriveSeed(seed, 'split'). */
  seed: number;
  /** A column whose classes every split should hold in the same proportions. */
  stratify?: string;
}

export interface FrameSplits {
  train: DataFrame;
  validation?: DataFrame;
  test?: DataFrame;
  /** Row positions in the original frame of each split's rows, in the split's order. */
  indices: IndexSplits;
}

const NAMES = ['train', 'validation', 'test'] as const;
type SplitName = (typeof NAMES)[number];

/**
 * Splits row positions 0..n-1 into train (and validation, test) by the given fractions, which must
 * sum to 1. Sizes are rounded by largest remainder (each requested split gets at least one row
 * when n allows). With `labels`, each split holds every class in proportion to its size (every
 * class in every split when it has enough rows). Each split is in shuffled order. Same inputs,
 * same seed: same splits, on any machine; Math.random is never used.
 */
export function splitIndices(n: number, fractions: SplitFractions, seed: number, labels?: ArrayLike<unknown>): IndexSplits {
  if (!Number.isSafeInteger(n) || n < 0) throw invalidArgument('n', 'a non-negative integer', n);
  const names = checkFractions(fractions);
  checkSeed(seed);
  if (labels !== undefined && (labels === null || typeof labels !== 'object' || labels.length !== n)) {
    throw invalidArgument('labels', `${n} labels, one per row`, labels);
  }
  const rng = createRng(deriveSeed(seed, 'split'));
  const weights = names.map((name) => fractions[name] ?? 0);
  const totals = apportion(n, weights);
  const parts: number[][] = names.map(() => []);
  if (labels === undefined) {
    const order = permutation(n, rng);
    let at = 0;
    names.forEach((_, s) => {
      parts[s] = order.slice(at, at + totals[s]);
      at += totals[s];
    });
  } else {
    const classes = groupByClass(labels);
    const table = apportionClasses(classes.map((c) => c.length), totals);
    classes.forEach((members, k) => {
      shuffle(members, rng);
      let at = 0;
      names.forEach((_, s) => {
        parts[s].push(...members.slice(at, at + table[k][s]));
        at += table[k][s];
      });
    });
    // Interleave the classes: each split was filled class by class.
    for (const part of parts) shuffle(part, rng);
  }
  const out: IndexSplits = { train: [] };
  names.forEach((name, s) => (out[name] = parts[s]));
  return out;
}

/** splitIndices applied to a frame's rows; each split keeps the frame's columns, dtypes and index labels. */
export function splitFrame(frame: DataFrame, options: SplitOptions): FrameSplits {
  checkFrame(frame);
  if (!options || typeof options !== 'object') throw invalidArgument('options', 'an object with train (and validation, test) fractions and a seed', options);
  let labels: unknown[] | undefined;
  if (options.stratify !== undefined) {
    const c = frame.columns.indexOf(options.stratify);
    if (c === -1) throw missingColumn(options.stratify, frame.columns, 'stratify');
    labels = frameRows(frame).map((row) => row[c]);
  }
  const indices = splitIndices(frame.shape[0], options, options.seed, labels);
  const out: FrameSplits = { train: takeRows(frame, indices.train), indices };
  if (indices.validation) out.validation = takeRows(frame, indices.validation);
  if (indices.test) out.test = takeRows(frame, indices.test);
  return out;
}

function checkFractions(fractions: SplitFractions): SplitName[] {
  if (!fractions || typeof fractions !== 'object') throw invalidArgument('fractions', 'an object like { train: 0.8, test: 0.2 }', fractions);
  const names = NAMES.filter((name) => fractions[name] !== undefined);
  for (const name of names) {
    const f = fractions[name];
    if (typeof f !== 'number' || !Number.isFinite(f) || f < 0 || f > 1) throw invalidArgument(name, 'a fraction from 0 to 1', f);
  }
  if (!names.includes('train')) throw invalidArgument('train', 'a fraction from 0 to 1', fractions.train);
  const sum = names.reduce((a, name) => a + (fractions[name] ?? 0), 0);
  if (Math.abs(sum - 1) > 1e-9) {
    throw invalidArgument('fractions', 'train, validation and test fractions that sum to 1', sum, `Given: ${names.map((n) => `${n} ${fractions[n]}`).join(' + ')}.`);
  }
  return names;
}

/** Row positions grouped by label, classes in a fixed order (by type, then value). */
function groupByClass(labels: ArrayLike<unknown>): number[][] {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const key = classKey(labels[i]);
    let members = groups.get(key);
    if (!members) groups.set(key, (members = []));
    members.push(i);
  }
  return [...groups.keys()].sort().map((key) => groups.get(key) as number[]);
}

function classKey(value: unknown): string {
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) return 'missing';
  return `${typeof value}:${String(value)}`;
}

function permutation(n: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  shuffle(order, rng);
  return order;
}

/** Fisher–Yates, in place, from the seeded generator. */
export function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items;
}
