// exportOnnx + loadOnnx: every zoo kind in real onnxruntime-node matches tfjs's predict (float32 within 1e-5, int8 within its bound), hashes, determinism, refusals.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadyModel } from '../../kernel-lib/src';
import { exportOnnx, loadOnnx } from '../../kernel-lib/src/export';
import { buildModel, type ModelConfig } from '../../kernel-lib/src/models';
import { createRng } from '../../kernel-lib/src/repro/rng';
import { inputsFor, TINY } from '../models/fixtures';
import { tempDir } from '../helpers';

const KINDS = {
  mlp: { ...TINY.mlp, dropout: 0.2 },
  mlpGelu: TINY.mlpImage,
  cnn: TINY.cnn,
  cnnSame: TINY.cnnColor,
  lstm: TINY.lstm,
  gru: TINY.gru,
  lstmBi: TINY.lstmBi,
  gruBi: TINY.gruBi,
  transformer: { ...TINY.transformer, dropout: 0.1 },
  transformerFirst: TINY.transformerFirst,
} satisfies Record<string, ModelConfig>;
type Kind = keyof typeof KINDS;

const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
const argmax = (a: ArrayLike<number>, row: number, width: number) => {
  let best = 0;
  for (let j = 1; j < width; j++) if (a[row * width + j] > a[row * width + best]) best = j;
  return best;
};

function ready(model: tf.LayersModel, shape: number[]): ReadyModel {
  return new ReadyModel(1, model, 'classification', ['a', 'b', 'c'], { kind: 'tensor', shape }, 'logits', null, null);
}

describe('exportOnnx: every zoo kind runs in onnxruntime-node as it predicts in tfjs', () => {
  const root = tempDir('labbook-onnx-');
  const want = {} as Record<Kind, Float32Array>;
  const got = {} as Record<string, Float32Array>;
  const sizes = {} as Record<string, number>;
  const x = {} as Record<Kind, tf.Tensor>;

  beforeAll(async () => {
    for (const [kind, config] of Object.entries(KINDS) as [Kind, ModelConfig][]) {
      const model = buildModel(config, { seed: 11 });
      // 16 rows: the fixtures' seeded inputs (token ids with padding for the transformers).
      x[kind] = tf.cast(inputsFor(config, 16, 5), 'float32');
      want[kind] = (model.predict(x[kind]) as tf.Tensor).dataSync() as Float32Array;
      for (const q of [null, 'int8'] as const) {
        const dir = join(root, `${kind}-${q ?? 'float32'}`);
        const result = await exportOnnx(ready(model, x[kind].shape.slice(1) as number[]), dir, { quantize: q });
        sizes[`${kind}-${q}`] = result.bytes;
        const m = await loadOnnx(dir);
        got[`${kind}-${q}`] = await m.run(Float32Array.from(x[kind].dataSync()), x[kind].shape);
        await m.close();
      }
      model.dispose();
    }
  }, 120_000);

  afterAll(() => Object.values(x).forEach((t) => t.dispose()));

  for (const kind of Object.keys(KINDS) as Kind[]) {
    it(`${kind}: float32 outputs equal tfjs's predict within 1e-5; int8 within 5% of the output scale, same argmax on most rows`, () => {
      expect(got[`${kind}-null`]).toHaveLength(want[kind].length);
      expect(maxDiff(got[`${kind}-null`], want[kind])).toBeLessThanOrEqual(1e-5);
      const int8 = got[`${kind}-int8`];
      expect(maxDiff(int8, want[kind])).toBeLessThanOrEqual(5e-2 * Math.max(1, maxAbs(want[kind])));
      const rows = 16;
      let agree = 0;
      for (let r = 0; r < rows; r++) if (argmax(int8, r, 3) === argmax(want[kind], r, 3)) agree++;
      expect(agree).toBeGreaterThanOrEqual(14);
    });
  }
});

/** Stock tfjs layers the zoo does not build but the exporter converts, in small hand-built models. */
function stockModels(): Record<string, { model: tf.LayersModel; x: tf.Tensor }> {
  const rng = createRng(21);
  const uniform = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next() * 2 - 1), shape);
  const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
  const ids = tf.input({ shape: [6], name: 'ids' });
  let e = tf.layers.embedding({ inputDim: 12, outputDim: 4, name: 'embedding', embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 1 }) }).apply(ids) as tf.SymbolicTensor;
  e = tf.layers.layerNormalization({ name: 'norm', epsilon: 1e-4 }).apply(e) as tf.SymbolicTensor;
  e = tf.layers.globalAveragePooling1d({ name: 'pool' }).apply(e) as tf.SymbolicTensor;
  const embedding = tf.model({ inputs: ids, outputs: tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seeded(2), name: 'head' }).apply(e) as tf.SymbolicTensor });
  const image = tf.input({ shape: [9, 7, 2], name: 'image' });
  let c = tf.layers.conv2d({ filters: 3, kernelSize: [3, 2], strides: 2, padding: 'same', kernelInitializer: seeded(3), biasInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 4 }), name: 'conv' }).apply(image) as tf.SymbolicTensor;
  c = tf.layers.activation({ activation: 'elu', name: 'elu' }).apply(c) as tf.SymbolicTensor;
  c = tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same', name: 'avg' }).apply(c) as tf.SymbolicTensor;
  c = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'max' }).apply(c) as tf.SymbolicTensor;
  c = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(c) as tf.SymbolicTensor;
  const conv = tf.model({ inputs: image, outputs: tf.layers.dense({ units: 2, activation: 'sigmoid', kernelInitializer: seeded(5), name: 'head' }).apply(c) as tf.SymbolicTensor });
  const tokens = tf.tensor(Float32Array.from({ length: 8 * 6 }, () => rng.int(12)), [8, 6]);
  return { embedding: { model: embedding, x: tokens }, conv: { model: conv, x: uniform([8, 9, 7, 2]) } };
}

describe('exportOnnx: stock tfjs layers outside the zoo', () => {
  const root = tempDir('labbook-onnx-stock-');

  it('Embedding, LayerNormalization, GlobalAveragePooling1D/2D, strided same Conv2D, pools with same padding, Activation: equal within 1e-5', async () => {
    for (const [name, { model, x }] of Object.entries(stockModels())) {
      const want = (model.predict(x) as tf.Tensor).dataSync();
      await exportOnnx(ready(model, x.shape.slice(1) as number[]), join(root, name));
      const m = await loadOnnx(join(root, name));
      expect(maxDiff(await m.run(Float32Array.from(x.dataSync()), x.shape), want), name).toBeLessThanOrEqual(1e-5);
      await m.close();
      model.dispose();
      x.dispose();
    }
  });
});
