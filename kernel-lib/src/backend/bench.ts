/** Training throughput of plain tfjs-layers models on each backend, one thread: figures to print, never to assert. */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../repro/rng';
import { deriveSeed } from '../repro/seed';
import { type BackendName } from './info';
import { availableBackends, initBackend } from './select';

export interface BackendThroughput {
  model: string;
  shape: string;
  backend: string;
  batch: number;
  steps: number;
  samplesPerSec: number;
}

type Case = { name: string; shape: string; batch: number; build: (seed: number) => tf.LayersModel; data: (seed: number, batch: number) => [tf.Tensor, tf.Tensor] };

const SEED = 1;
const init = (seed: number, i: number) => tf.initializers.glorotUniform({ seed: deriveSeed(seed, 'bench', i) });

function uniform(seed: number, shape: number[], scale = 1): tf.Tensor {
  const rng = createRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.next() * scale), shape);
}

function labels(seed: number, batch: number, classes: number): tf.Tensor {
  const rng = createRng(seed);
  return tf.oneHot(tf.tensor1d(Int32Array.from({ length: batch }, () => rng.int(classes)), 'int32'), classes);
}

/** ARCHITECTURE.md's reference shapes (MLP and CNN), and an Embedding model for UnsortedSegmentSum. */
const CASES: Case[] = [
  {
    name: 'mlp',
    shape: '784-128-10',
    batch: 128,
    build: (seed) => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ units: 128, activation: 'relu', inputShape: [784], kernelInitializer: init(seed, 1) }));
      m.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(seed, 2) }));
      return m;
    },
    data: (seed, batch) => [uniform(seed, [batch, 784]), labels(seed + 1, batch, 10)],
  },
  {
    name: 'cnn',
    shape: 'conv32-pool-conv64-pool-dense128 on 28x28x1',
    batch: 64,
    build: (seed) => {
      const m = tf.sequential();
      m.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], kernelInitializer: init(seed, 1) }));
      m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
      m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init(seed, 2) }));
      m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(seed, 3) }));
      m.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(seed, 4) }));
      return m;
    },
    data: (seed, batch) => [uniform(seed, [batch, 28, 28, 1]), labels(seed + 1, batch, 10)],
  },
  {
    name: 'embedding',
    shape: 'embedding 1000x64 over 64 tokens-avgpool-dense2',
    batch: 32,
    build: (seed) => {
      const m = tf.sequential();
      m.add(tf.layers.embedding({ inputDim: 1000, outputDim: 64, inputLength: 64, embeddingsInitializer: init(seed, 1) }));
      m.add(tf.layers.globalAveragePooling1d({}));
      m.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(seed, 2) }));
      return m;
    },
    data: (seed, batch) => [tf.floor(uniform(seed, [batch, 64], 999.99)), labels(seed + 1, batch, 2)],
  },
];

export const BENCH_MODELS = CASES.map((c) => c.name);

/**
 * Samples/s of trainOnBatch (adam) after two warm-up steps, each case run for about `seconds`
 * (at least three steps) on every backend asked for (default: all that are installed). The cpu
 * backend needs minutes for cnn and embedding (its UnsortedSegmentSum loops over every segment).
 */
export async function benchBackendThroughput(
  options: { seconds?: number; backends?: BackendName[]; models?: string[] } = {},
): Promise<BackendThroughput[]> {
  const seconds = options.seconds ?? 3;
  const figures: BackendThroughput[] = [];
  for (const backend of options.backends ?? (await availableBackends())) {
    await initBackend({ prefer: backend });
    for (const c of CASES.filter((k) => !options.models || options.models.includes(k.name))) {
      const model = c.build(SEED);
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
      const [x, y] = c.data(SEED, c.batch);
      for (let i = 0; i < 2; ++i) await model.trainOnBatch(x, y);
      let steps = 0;
      const start = process.hrtime.bigint();
      let elapsed = 0;
      while (steps < 3 || elapsed < seconds) {
        await model.trainOnBatch(x, y);
        steps += 1;
        elapsed = Number(process.hrtime.bigint() - start) / 1e9;
      }
      figures.push({ model: c.name, shape: c.shape, backend, batch: c.batch, steps, samplesPerSec: Math.round((steps * c.batch) / elapsed) });
      tf.dispose([x, y]);
      model.dispose();
    }
  }
  return figures;
}
