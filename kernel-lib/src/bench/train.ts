/** The training benchmark: samples/s of each zoo model on each backend, next to PyTorch on one thread. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { availableBackends, initBackend } from '../backend';
import { buildModel, type ModelConfig } from '../models';
import { createRng } from '../repro/rng';
import { createOptimizer, train } from '../train';
import { sparseCategoricalCrossEntropy } from '../train/losses';

export interface TrainFigure {
  model: string;
  backend: string;
  /** Through train(): shuffled batches gathered from a dataset, loss, hits and gradient norm read back each step. */
  samplesPerSec: number;
  /** A plain loop of optimizer.minimize on one fixed batch, nothing read back: the same loop as PyTorch's plain one. */
  plainLoopSamplesPerSec: number;
  /** PyTorch, a plain loop on one fixed batch (ARCHITECTURE.md's reference). */
  torchSamplesPerSec: number | null;
  /** plainLoopSamplesPerSec / torchSamplesPerSec: the same loop on both sides. */
  ratio: number | null;
  /** PyTorch doing train()'s per-step work: shuffled gather, loss, hit count and gradient norm read back. */
  torchTrainLoopSamplesPerSec: number | null;
  /** samplesPerSec / torchTrainLoopSamplesPerSec: the same per-step work on both sides. */
  ratioTrainLoop: number | null;
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

/** Samples/s of optimizer.minimize on one fixed batch (after a second of warm-up), as PyTorch's plain loop. */
async function measurePlain(c: (typeof CASES)[number], seconds: number): Promise<number> {
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

/** PyTorch's figures from the project's script, or null where python3-torch is not installed. */
function torchFigures(seconds: number, likeTrain: boolean, models: string[]): { [model: string]: number } | null {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const script = join(__dirname, '..', '..', 'src', 'bench', 'torch_train.py');
  try {
    const args = [script, String(seconds), ...models, ...(likeTrain ? ['--like-train'] : [])];
    const out = execFileSync(python, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
    return JSON.parse(out) as { [model: string]: number };
  } catch {
    return null;
  }
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Each figure is the median of `repeats` measurements (default 3), labbook's and PyTorch's taken
 * in alternation: on this machine kind one PyTorch measurement varies by 20-30% from run to run.
 */
export async function benchTrain(
  options: { seconds?: number; backends?: string[]; models?: string[]; repeats?: number } = {},
): Promise<TrainFigure[]> {
  const seconds = options.seconds ?? 3;
  const repeats = options.repeats ?? 3;
  const cases = CASES.filter((k) => !options.models || options.models.includes(k.name));
  const backends = options.backends ?? (await availableBackends());
  const ours: { [key: string]: number[] } = {};
  const oursPlain: { [key: string]: number[] } = {};
  const torch: { [mode: string]: { [model: string]: number[] } } = { plain: {}, loop: {} };
  for (let r = 0; r < repeats; ++r) {
    for (const [mode, likeTrain] of [['plain', false], ['loop', true]] as const) {
      const figures = torchFigures(seconds, likeTrain, cases.map((c) => c.name)) ?? {};
      for (const [model, value] of Object.entries(figures)) (torch[mode][model] ??= []).push(value);
    }
    for (const backend of backends) {
      await initBackend({ prefer: backend });
      for (const c of cases) {
        (ours[`${c.name}/${backend}`] ??= []).push(await measure(c, seconds));
        (oursPlain[`${c.name}/${backend}`] ??= []).push(await measurePlain(c, seconds));
      }
    }
  }
  const round = (v: number | null, digits: number) => (v === null ? null : Number(v.toFixed(digits)));
  return backends.flatMap((backend) =>
    cases.map((c) => {
      const samplesPerSec = median(ours[`${c.name}/${backend}`])!;
      const plainLoop = median(oursPlain[`${c.name}/${backend}`])!;
      const plain = median(torch.plain[c.name] ?? []);
      const loop = median(torch.loop[c.name] ?? []);
      return {
        model: c.name,
        backend,
        samplesPerSec: round(samplesPerSec, 1)!,
        plainLoopSamplesPerSec: round(plainLoop, 1)!,
        torchSamplesPerSec: round(plain, 1),
        ratio: plain ? round(plainLoop / plain, 3) : null,
        torchTrainLoopSamplesPerSec: round(loop, 1),
        ratioTrainLoop: loop ? round(samplesPerSec / loop, 3) : null,
      };
    }),
  );
}
