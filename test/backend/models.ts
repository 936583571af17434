/** Small plain tfjs models of each kind labbook trains, with seeded weights and data, for backend comparisons. */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../kernel-lib/src/repro/seed';
import { normals, ROOT_SEED, rngFor } from './helpers';

export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export function optimizer(name: OptimizerName): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(0.1);
    case 'momentum':
      return tf.train.momentum(0.05, 0.9);
    case 'adam':
      return tf.train.adam(0.01);
    case 'rmsprop':
      return tf.train.rmsprop(0.01);
  }
}

/** One model being trained: a step returns the loss it computed before updating. */
export interface Trainer {
  step(): Promise<number>;
  weights(): Float32Array[];
  dispose(): void;
}

export interface ModelKind {
  name: string;
  /** `initial` replaces the seeded initial weights (to start two backends from the very same values). */
  make(opt: OptimizerName, initial?: Float32Array[]): Trainer;
}

const seed = (...path: (string | number)[]) => deriveSeed(ROOT_SEED, 'models', ...path);
const glorot = (...path: (string | number)[]) => tf.initializers.glorotUniform({ seed: seed(...path) });
const orthogonal = (...path: (string | number)[]) => tf.initializers.orthogonal({ seed: seed(...path) });

function layersTrainer(model: tf.LayersModel, opt: OptimizerName, x: tf.Tensor, y: tf.Tensor, loss: string, initial?: Float32Array[]): Trainer {
  if (initial) model.setWeights(model.getWeights().map((w, i) => tf.tensor(initial[i], w.shape)));
  model.compile({ optimizer: optimizer(opt), loss });
  return {
    step: async () => (await model.trainOnBatch(x, y)) as number,
    weights: () => model.getWeights().map((w) => w.dataSync().slice() as Float32Array),
    dispose: () => {
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}

function oneHot(labels: number[], classes: number): tf.Tensor {
  return tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat();
}

const mlp: ModelKind = {
  name: 'mlp',
  make(opt, initial) {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 16, activation: 'relu', inputShape: [12], kernelInitializer: glorot('mlp', 1) }));
    model.add(tf.layers.dropout({ rate: 0.2, seed: seed('mlp', 'dropout') }));
    model.add(tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: glorot('mlp', 2) }));
    const x = tf.tensor(normals(rngFor('mlp', 'x'), 8 * 12), [8, 12]);
    return layersTrainer(model, opt, x, oneHot([0, 1, 2, 3, 3, 2, 1, 0], 4), 'categoricalCrossentropy', initial);
  },
};

const cnn: ModelKind = {
  name: 'cnn (conv valid + maxpool, conv same stride 2, maxpool same)',
  make(opt, initial) {
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [12, 12, 2], kernelInitializer: glorot('cnn', 1) }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: glorot('cnn', 2) }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2, padding: 'same' }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot('cnn', 3) }));
    const x = tf.tensor(normals(rngFor('cnn', 'x'), 4 * 12 * 12 * 2), [4, 12, 12, 2]);
    return layersTrainer(model, opt, x, oneHot([0, 1, 2, 0], 3), 'categoricalCrossentropy', initial);
  },
};

const separable: ModelKind = {
  name: 'separable/depthwise cnn',
  make(opt, initial) {
    const model = tf.sequential();
    model.add(tf.layers.separableConv2d({
      filters: 4, kernelSize: 3, depthMultiplier: 2, inputShape: [10, 10, 3],
      depthwiseInitializer: glorot('sep', 1), pointwiseInitializer: glorot('sep', 2),
    }));
    model.add(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthwiseInitializer: glorot('sep', 3) }));
    model.add(tf.layers.globalAveragePooling2d({}));
    model.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot('sep', 4) }));
    const x = tf.tensor(normals(rngFor('sep', 'x'), 4 * 10 * 10 * 3), [4, 10, 10, 3]);
    return layersTrainer(model, opt, x, oneHot([2, 1, 0, 1], 3), 'categoricalCrossentropy', initial);
  },
};

function recurrent(kind: 'lstm' | 'gru'): ModelKind {
  const layer = kind === 'lstm' ? tf.layers.lstm : tf.layers.gru;
  return {
    name: `${kind} stack`,
    make(opt, initial) {
      const model = tf.sequential();
      model.add(layer({ units: 8, returnSequences: true, inputShape: [6, 3], kernelInitializer: glorot(kind, 1), recurrentInitializer: orthogonal(kind, 2) }));
      model.add(layer({ units: 8, recurrentActivation: 'sigmoid', kernelInitializer: glorot(kind, 3), recurrentInitializer: orthogonal(kind, 4) }));
      model.add(tf.layers.dense({ units: 2, kernelInitializer: glorot(kind, 5) }));
      const x = tf.tensor(normals(rngFor(kind, 'x'), 4 * 6 * 3), [4, 6, 3]);
      const y = tf.tensor(normals(rngFor(kind, 'y'), 4 * 2), [4, 2]);
      return layersTrainer(model, opt, x, y, 'meanSquaredError', initial);
    },
  };
}

/**
 * One pre-norm transformer block over token ids: Embedding lookup (gather), multi-head attention
 * by batched matMuls with transposes, causal and padding masks by greater/where, softmax,
 * LayerNormalization, a gelu feed-forward with relu, residual adds, mean and sum reductions.
 */
const transformer: ModelKind = {
  name: 'transformer block',
  make(opt, initial) {
    const [V, D, H, T, B, F] = [30, 8, 2, 5, 3, 16];
    const shapes: [string, number[]][] = [['emb', [V, D]], ['pos', [T, D]], ['wq', [D, D]], ['wk', [D, D]], ['wv', [D, D]], ['wo', [D, D]], ['w1', [D, F]], ['b1', [F]], ['w2', [F, D]], ['out', [D, V]]];
    const params = shapes.map(([name, shape], i) => {
      const size = shape.reduce((p, d) => p * d, 1);
      const values = initial?.[i] ?? normals(rngFor('transformer', name), size).map((v) => v * 0.3);
      return tf.variable(tf.tensor(values, shape), true, undefined);
    });
    const [emb, pos, wq, wk, wv, wo, w1, b1, w2, out] = params;
    const norm1 = tf.layers.layerNormalization({ axis: -1 });
    const norm2 = tf.layers.layerNormalization({ axis: -1 });
    const gelu = tf.layers.activation({ activation: 'gelu' });
    const ids = tf.tensor2d([[4, 9, 17, 2, 0], [11, 11, 3, 0, 0], [1, 2, 3, 4, 5]], [B, T], 'int32');
    const targets = tf.tensor1d([9, 17, 2, 0, 0, 11, 3, 0, 0, 0, 2, 3, 4, 5, 6], 'int32');
    const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, H, D / H]), [0, 2, 1, 3]);
    const project = (t: tf.Tensor, w: tf.Tensor) => tf.reshape(tf.matMul(tf.reshape(t, [B * T, D]), w), [B, T, D]);
    const loss = () => {
      let x = tf.add(tf.gather(emb, ids), pos);
      const h = norm1.apply(x) as tf.Tensor;
      const [q, k, v] = [heads(project(h, wq)), heads(project(h, wk)), heads(project(h, wv))];
      const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(D / H));
      const causal = tf.greater(tf.range(1, T + 1).reshape([T, 1]), tf.range(0, T).reshape([1, T]));
      const present = tf.greater(ids, 0).reshape([B, 1, 1, T]);
      const mask = tf.broadcastTo(tf.logicalAnd(causal.reshape([1, 1, T, T]), present), scores.shape);
      const attention = tf.softmax(tf.where(mask, scores, tf.fill(scores.shape, -1e9)));
      const context = tf.reshape(tf.transpose(tf.matMul(attention, v), [0, 2, 1, 3]), [B, T, D]);
      x = tf.add(x, project(context, wo));
      const f = tf.reshape(norm2.apply(x) as tf.Tensor, [B * T, D]);
      const ff = tf.matMul(tf.relu(gelu.apply(tf.add(tf.matMul(f, w1), b1)) as tf.Tensor), w2);
      x = tf.add(x, tf.reshape(ff, [B, T, D]));
      const logits = tf.matMul(tf.reshape(x, [B * T, D]), out);
      const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(targets, V), logits, undefined, 0, tf.Reduction.NONE);
      const weight = tf.cast(tf.greater(tf.reshape(ids, [B * T]), 0), 'float32');
      return tf.div(tf.sum(tf.mul(ce, weight)), tf.sum(weight)) as tf.Scalar;
    };
    loss(); // builds the norm layers' weights, so the optimizer sees every variable from the start
    const vars = [...params, ...[norm1, norm2].flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable))];
    const opti = optimizer(opt);
    return {
      step: async () => {
        const cost = opti.minimize(loss, true, vars)!;
        const value = cost.dataSync()[0];
        cost.dispose();
        return value;
      },
      weights: () => vars.map((v) => v.dataSync().slice() as Float32Array),
      dispose: () => {
        opti.dispose();
        tf.dispose([...params, ids, targets]);
        norm1.dispose();
        norm2.dispose();
      },
    };
  },
};

export const MODEL_KINDS: ModelKind[] = [mlp, cnn, separable, recurrent('lstm'), recurrent('gru'), transformer];
