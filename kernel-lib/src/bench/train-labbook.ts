/**
 * labbook's side of the training benchmark: samples/s of the zoo models in this process, and the
 * child-process entry `node train-labbook.js BACKEND SECONDS MODEL...` that prints them as JSON
 * (a child so each thread count gets an addon loaded under its own LABBOOK_NATIVE_THREADS).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, loadNativeAddon } from '../backend';
import { buildModel, type ModelConfig } from '../models';
import { createRng } from '../repro/rng';
import { createOptimizer, train } from '../train';
import { sparseCategoricalCrossEntropy } from '../train/losses';

export interface BenchCase {
  name: string;
  /** What the README's table calls it. */
  title: string;
  config: ModelConfig;
  batch: number;
  input: number[];
  classes: number;
  tokens?: number;
}

/** The zoo shapes of ARCHITECTURE.md's reference measurements (torch_train.py and keras_train.py build the same). */
export const CASES: BenchCase[] = [
  { name: 'mlp', title: 'MLP 784-128-10, b128', config: { kind: 'mlp', task: 'classification', outputs: 10, inputShape: [784], hidden: [128] }, batch: 128, input: [784], classes: 10 },
  { name: 'cnn', title: 'CNN conv32-pool-conv64-pool-dense128, b64', config: { kind: 'cnn', task: 'classification', outputs: 10, inputShape: [28, 28, 1] }, batch: 64, input: [28, 28, 1], classes: 10 },
  { name: 'lstm', title: 'LSTM 2x64 over 100x10, b64', config: { kind: 'lstm', task: 'classification', outputs: 10, inputShape: [100, 10], units: [64, 64] }, batch: 64, input: [100, 10], classes: 10 },
  {
    name: 'transformer',
    title: 'Transformer d64 h4 ff256 L2 seq64, b32',
    config: { kind: 'transformer', task: 'classification', outputs: 2, vocabSize: 1000, maxLen: 64, dModel: 64, heads: 4, ffDim: 256, layers: 2 },
    batch: 32,
    input: [64],
    classes: 2,
    tokens: 1000,
  },
];

/** What one child reports: the backend it ran on, the addon's threads and ISA where native, samples/s per model. */
export interface LabbookChildFigures {
  backend: string;
  threads: number | null;
  isa: string | null;
  figures: { [model: string]: { plain: number; train: number } };
}

function syntheticData(c: BenchCase, n: number): { x: tf.Tensor; y: tf.Tensor } {
  const rng = createRng(1);
  const size = c.input.reduce((a, b) => a * b, 1);
  const labels = Int32Array.from({ length: n }, () => rng.int(c.classes));
  if (c.tokens) {
    const ids = Int32Array.from({ length: n * size }, () => 1 + rng.int(c.tokens! - 1));
    return { x: tf.tensor(ids, [n, ...c.input], 'int32'), y: tf.tensor1d(labels, 'int32') };
  }
  const values = Float32Array.from({ length: n * size }, () => rng.next());
  return { x: tf.tensor(values, [n, ...c.input]), y: tf.tensor1d(labels, 'int32') };
}

/**
 * Samples/s of whole training epochs through train() (shuffled batches gathered from a dataset,
 * loss read every step, gradient norm, accuracy: what a user's run does), after a warm-up epoch,
 * over about `seconds`. The references' scripts also warm up before timing their steps.
 */
export async function measureTrain(c: BenchCase, seconds: number): Promise<number> {
  const model = buildModel(c.config, { seed: 1 });
  try {
    const probe = syntheticData(c, c.batch * 3);
    const first = await train(model, probe, { epochs: 1, batchSize: c.batch, seed: 1, progress: false });
    tf.dispose([probe.x, probe.y]);
    const perStep = c.batch / first.epochs[0].samples_per_sec;
    const steps = Math.max(2, Math.min(200, Math.round(seconds / perStep)));
    const epochs = 1 + Math.max(1, Math.ceil(seconds / (steps * perStep)));
    const data = syntheticData(c, c.batch * steps);
    const history = await train(model, data, { epochs, batchSize: c.batch, seed: 1, progress: false });
    tf.dispose([data.x, data.y]);
    const timed = history.epochs.slice(1);
    const samples = timed.reduce((sum, e) => sum + e.epoch_seconds! * e.samples_per_sec!, 0);
    return samples / timed.reduce((sum, e) => sum + e.epoch_seconds!, 0);
  } finally {
    model.dispose();
  }
}

/** Samples/s of optimizer.minimize on one fixed batch (after a second of warm-up): the references' loop. */
export async function measurePlain(c: BenchCase, seconds: number): Promise<number> {
  const model = buildModel(c.config, { seed: 1 });
  const optimizer = createOptimizer('adam');
  const { x, y } = syntheticData(c, c.batch);
  const step = () => tf.dispose(optimizer.minimize(() => sparseCategoricalCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor), true) ?? []);
  try {
    for (let warm = 0, start = performance.now(); warm < 3 || performance.now() - start < 1000; ++warm) step();
    let steps = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      step();
      steps += 1;
    }
    return (steps * c.batch) / ((performance.now() - start) / 1000);
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}

/** Both loops of each named model on `backend`, in this process. */
export async function measureLabbook(backend: string, seconds: number, models: string[]): Promise<LabbookChildFigures> {
  const info = await initBackend({ prefer: backend });
  const loaded = info.name === 'native' ? loadNativeAddon() : null;
  const addonInfo = loaded?.ok ? loaded.addon.info() : null;
  const figures: LabbookChildFigures['figures'] = {};
  for (const c of CASES.filter((k) => models.includes(k.name))) {
    const trainLoop = await measureTrain(c, seconds);
    figures[c.name] = { plain: await measurePlain(c, seconds), train: trainLoop };
  }
  return { backend: info.name, threads: addonInfo?.threads ?? null, isa: addonInfo?.isa ?? null, figures };
}

if (require.main === module) {
  const [backend, seconds, ...models] = process.argv.slice(2);
  measureLabbook(backend, Number(seconds), models).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
