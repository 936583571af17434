/** The training benchmark: samples/s of each zoo model on each backend, next to PyTorch on one thread. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { availableBackends, initBackend } from '../backend';
import { buildModel, type ModelConfig } from '../models';
import { createRng } from '../repro/rng';
import { train } from '../train';

export interface TrainFigure {
  model: string;
  backend: string;
  samplesPerSec: number;
  torchSamplesPerSec: number | null;
  ratio: number | null;
}

/** The shapes of ARCHITECTURE.md's reference measurements. */
const CASES: { name: string; config: ModelConfig; batch: number; input: number[]; classes: number; tokens?: number }[] = [
  { name: 'mlp', config: { kind: 'mlp', task: 'classification', outputs: 10, inputShape: [784], hidden: [128] }, batch: 128, input: [784], classes: 10 },
  { name: 'cnn', config: { kind: 'cnn', task: 'classification', outputs: 10, inputShape: [28, 28, 1] }, batch: 64, input: [28, 28, 1], classes: 10 },
  { name: 'lstm', config: { kind: 'lstm', task: 'classification', outputs: 10, inputShape: [100, 10], units: [64, 64] }, batch: 64, input: [100, 10], classes: 10 },
  {
    name: 'transformer',
    config: { kind: 'transformer', task: 'classification', outputs: 2, vocabSize: 1000, maxLen: 64, dModel: 64, heads: 4, ffDim: 256, layers: 2 },
    batch: 32,
    input: [64],
    classes: 2,
    tokens: 1000,
  },
];

function syntheticData(c: (typeof CASES)[number], n: number): { x: tf.Tensor; y: tf.Tensor } {
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
 * over about `seconds`. PyTorch's script also warms up before timing its steps.
 */
async function measure(c: (typeof CASES)[number], seconds: number): Promise<number> {
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

/** PyTorch's figures from the project's script, or null where python3-torch is not installed. */
function torchFigures(seconds: number): { [model: string]: number } | null {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const script = join(__dirname, '..', '..', 'src', 'bench', 'torch_train.py');
  try {
    const out = execFileSync(python, [script, String(seconds)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
    return JSON.parse(out) as { [model: string]: number };
  } catch {
    return null;
  }
}

export async function benchTrain(options: { seconds?: number; backends?: string[]; models?: string[] } = {}): Promise<TrainFigure[]> {
  const seconds = options.seconds ?? 4;
  const torch = torchFigures(seconds);
  const figures: TrainFigure[] = [];
  for (const backend of options.backends ?? (await availableBackends())) {
    await initBackend({ prefer: backend });
    for (const c of CASES.filter((k) => !options.models || options.models.includes(k.name))) {
      const samplesPerSec = Number((await measure(c, seconds)).toFixed(1));
      const reference = torch?.[c.name] ?? null;
      figures.push({ model: c.name, backend, samplesPerSec, torchSamplesPerSec: reference, ratio: reference ? Number((samplesPerSec / reference).toFixed(3)) : null });
    }
  }
  return figures;
}
