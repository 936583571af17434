/** The serving benchmark's models (the reference MLP 784-128-10 and the spam transformer's small config), trained briefly on synthetic data and registered, with one request body each. */
import * as tf from '@tensorflow/tfjs';
import { tokenize } from '../data/text/tokenize';
import { Vocabulary } from '../data/text/vocabulary';
import { logModel } from '../model-package';
import { registerModel } from '../model-registry';
import { buildModel, type ModelConfig } from '../models';
import { openRegistry } from '../registry/registry';
import { createRng } from '../repro/rng';
import { train } from '../train';

export interface BenchModel {
  name: 'mlp' | 'transformer';
  /** One example as a TF Serving row-format body. */
  body: string;
  /** One example as predict() takes it (the direct, in-process measurement). */
  example: unknown;
  /** The open-loop rate: the 1,000/s for the MLP; for the transformer a rate it sustains on a 2-core machine. */
  rate: number;
}

const WORDS = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}`);

/** A message of about 80 words drawn with a skew (frequent words first), as mail text is. */
function message(rng: ReturnType<typeof createRng>): string {
  return Array.from({ length: 80 }, () => WORDS[Math.floor(WORDS.length * rng.next() ** 3)]).join(' ');
}

/** Registers bench-mlp and bench-transformer in `db` (one epoch each: the weights' quality does not change serving speed). */
export async function registerBenchModels(db: string, rates: { mlp: number; transformer: number }): Promise<BenchModel[]> {
  const rng = createRng(11);
  const registry = openRegistry({ db });
  try {
    const pixels = (n: number) => Float32Array.from({ length: n * 784 }, () => rng.next());
    const mlpConfig: ModelConfig = { kind: 'mlp', task: 'classification', outputs: 10, inputShape: [784], hidden: [128] };
    const mlpExample = Array.from(pixels(1), (v) => Number(v.toFixed(4)));
    await trainAndRegister(registry, 'bench-mlp', mlpConfig, { x: tf.tensor2d(pixels(512), [512, 784]), y: labels(rng, 512, 10) }, { input: { kind: 'tensor' }, labels: Array.from({ length: 10 }, (_, i) => String(i)) });

    const texts = Array.from({ length: 256 }, () => message(rng));
    const vocab = Vocabulary.build(texts.map(tokenize), { minFreq: 2, maxSize: 8000 });
    const maxLen = 96;
    // experiments/spam-transformer.ts's defaults.
    const spamConfig: ModelConfig = { kind: 'transformer', task: 'classification', outputs: 2, vocabSize: vocab.size, maxLen, dModel: 32, heads: 2, ffDim: 64, layers: 1, dropout: 0.1 };
    const ids = vocab.encodeBatch(texts.map(tokenize), { maxLen });
    const x = tf.tensor2d(ids.flatMap((r) => Array.from(r)), [texts.length, maxLen], 'int32');
    await trainAndRegister(registry, 'bench-transformer', spamConfig, { x, y: labels(rng, texts.length, 2) }, { input: { kind: 'text', vocabulary: vocab, maxLen }, labels: ['ham', 'spam'] });
    const text = message(rng);
    return [
      { name: 'mlp', body: JSON.stringify({ instances: [mlpExample] }), example: mlpExample, rate: rates.mlp },
      { name: 'transformer', body: JSON.stringify({ instances: [text] }), example: text, rate: rates.transformer },
    ];
  } finally {
    registry.close();
  }
}

function labels(rng: ReturnType<typeof createRng>, n: number, classes: number): tf.Tensor {
  return tf.tensor1d(Int32Array.from({ length: n }, () => rng.int(classes)), 'int32');
}

async function trainAndRegister(
  registry: ReturnType<typeof openRegistry>,
  name: string,
  config: ModelConfig,
  data: { x: tf.Tensor; y: tf.Tensor },
  spec: Parameters<typeof logModel>[2],
): Promise<void> {
  const run = registry.startRun({ experiment: name, config: config as never, seed: 1 });
  const model = buildModel(config, { seed: 1 });
  try {
    await train(model, data, { epochs: 1, batchSize: 32, seed: 1, progress: false });
    await logModel(run, model, spec);
    run.end();
    registerModel(registry, name, run.id);
  } finally {
    tf.dispose([data.x, data.y]);
    model.dispose();
  }
}
