/** What every built-in dataset shares: the result shape, finding package files, fingerprinting and logging. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DataFrame } from 'danfojs-node';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import { invalidArgument, LabbookError } from '../../errors';
import type { Run } from '../../registry';
import { fingerprint, type Fingerprint } from '../fingerprint';
import { frameRows } from '../frame';
import { tf } from '../lazy';
import { featureMatrix } from '../tensors';

export interface DatasetOptions {
  /** Log the frame's fingerprint with this run (run.logDataset). */
  run?: Run;
  /** The dataset name logged with the run (default: the dataset's own name). */
  name?: string;
}

export interface Dataset {
  name: string;
  frame: DataFrame;
  fingerprint: Fingerprint;
  /** Package, version and files the rows came from: `npm:vega-datasets@3.2.1/data/cars.json`. */
  source: string;
  /** Rows in the source, before any were left out. */
  sourceRows: number;
  /** Rows left out because a value was missing (see each loader for which). */
  dropped: number;
  /** The feature columns x holds, in order. */
  features?: string[];
  /** The column y holds. */
  target?: string;
  /** Class names for y's codes (y = i means classes[i]), sorted. */
  classes?: string[];
  /** [rows, features] float32. The caller disposes it. */
  x?: Tensor2D;
  /** int32 class codes or float32 targets. The caller disposes it. */
  y?: Tensor1D;
}

/** Root folder of an installed package (found by walking the resolution paths, so `exports` maps do not hide package.json). */
export function packageRoot(name: string): { root: string; version: string } {
  const paths = require.resolve.paths(name) ?? [];
  for (const base of [...paths, join(__dirname, '..', '..', '..', 'node_modules')]) {
    const manifest = join(base, name, 'package.json');
    if (existsSync(manifest)) {
      const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version ?? 'unknown';
      return { root: dirname(manifest), version };
    }
  }
  throw new LabbookError('NOT_FOUND', `Package \`${name}\` is not installed: expected it in node_modules, received nothing there. Run \`npm install\` in the project.`);
}

/** Fingerprints the frame, logs it with the run when one was given, and assembles the result. */
export function finish(dataset: Omit<Dataset, 'fingerprint'>, options: DatasetOptions): Dataset {
  const print = fingerprint(dataset.frame);
  if (options.run) {
    options.run.logDataset({
      name: options.name ?? dataset.name,
      sha256: print.sha256,
      rows: print.rows,
      columns: print.columns,
      schema: print.schema,
      source: dataset.source,
    });
  }
  return { ...dataset, fingerprint: print };
}

export function checkDatasetOptions(options: unknown): DatasetOptions & Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
  const o = options as DatasetOptions & Record<string, unknown>;
  if (o.run !== undefined && typeof (o.run as { logDataset?: unknown })?.logDataset !== 'function') throw invalidArgument('run', 'a Run (from registry.startRun)', o.run);
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '')) throw invalidArgument('name', 'a non-empty string', o.name);
  return o;
}

/** Sorted class names of a string column and each row's code, for y. */
function classCodes(frame: DataFrame, column: string): { classes: string[]; codes: Int32Array } {
  const c = frame.columns.indexOf(column);
  const values = frameRows(frame).map((row) => String(row[c]));
  const classes = [...new Set(values)].sort();
  const index = new Map(classes.map((name, i) => [name, i]));
  return { classes, codes: Int32Array.from(values, (v) => index.get(v) as number) };
}

/** Rows of a frame where none of the values is missing (NaN, null) or one of `alsoMissing`. */
export function completeRows(frame: DataFrame, alsoMissing: readonly string[] = []): number[] {
  const kept: number[] = [];
  frameRows(frame).forEach((row, r) => {
    const missing = row.some((v) => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || (typeof v === 'string' && alsoMissing.includes(v)));
    if (!missing) kept.push(r);
  });
  return kept;
}

/** The sample size option: a positive integer up to `max`, or all of them. */
export function checkSamples(samples: unknown, max: number): number {
  if (samples === undefined) return max;
  if (typeof samples !== 'number' || !Number.isSafeInteger(samples) || samples < 1 || samples > max) {
    throw invalidArgument('samples', `an integer from 1 to ${max}`, samples);
  }
  return samples;
}

/** Features as x and the class column's sorted codes as y. */
export function classTensors(frame: DataFrame, features: string[], target: string): Pick<Dataset, 'frame' | 'features' | 'target' | 'classes' | 'x' | 'y'> {
  const { classes, codes } = classCodes(frame, target);
  const t = tf();
  const x = t.tensor2d(featureMatrix(frame, features), [frame.shape[0], features.length], 'float32');
  return { frame, features, target, classes, x, y: t.tensor1d(codes, 'int32') };
}
