import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import {
  buildModel,
  PositionalEncoding,
  SeededDropout,
  SeededOrthogonal,
  TokenEmbedding,
  type TransformerConfig,
} from '../../kernel-lib/src/models';
import { inputsFor, TINY } from './fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The masks of `calls` training-time calls of a fresh SeededDropout on ones. */
function masks(seed: number, calls: number, rate = 0.5): number[][] {
  const layer = new SeededDropout({ rate, seed });
  const x = tf.ones([4, 64]);
  const out = Array.from({ length: calls }, () => tf.tidy(() => Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync())));
  x.dispose();
  return out;
}

describe('SeededDropout', () => {
  it('draws a fresh mask on every training call', () => {
    const [a, b, c] = masks(7, 3);
    expect(a).not.toEqual(b);
    expect(b).not.toEqual(c);
    expect(a).not.toEqual(c);
  });

  it('repeats the same sequence of masks for the same seed, and another for another seed', () => {
    expect(masks(7, 3)).toEqual(masks(7, 3));
    expect(masks(8, 3)[0]).not.toEqual(masks(7, 3)[0]);
  });

  it('drops about `rate` of the units and scales the rest by 1 / (1 - rate)', () => {
    for (const mask of masks(3, 4, 0.25)) {
      expect(new Set(mask)).toEqual(new Set([0, Math.fround(1 / 0.75)]));
      const dropped = mask.filter((v) => v === 0).length / mask.length;
      expect(dropped).toBeGreaterThan(0.15);
      expect(dropped).toBeLessThan(0.35);
    }
  });

  it('is the identity at inference and does not advance its sequence there', () => {
    const layer = new SeededDropout({ rate: 0.5, seed: 7 });
    const x = tf.randomNormal([3, 5], 0, 1, 'float32', 1);
    const y = layer.apply(x) as tf.Tensor;
    const z = layer.apply(x, { training: false }) as tf.Tensor;
    expect(y.dataSync()).toEqual(x.dataSync());
    expect(z.dataSync()).toEqual(x.dataSync());
    expect(layer.calls).toBe(0);
    tf.dispose([x, y, z]);
  });

  it('gives a built model fresh masks per training step, repeated by a model built from the same seed', () => {
    const config: TransformerConfig = { ...TINY.transformer, dropout: 0.3 };
    const x = inputsFor(config, 3);
    const steps = (seed: number) => {
      const model = buildModel(config, { seed });
      const out = [0, 1, 2].map(() => tf.tidy(() => Array.from((model.apply(x, { training: true }) as tf.Tensor).dataSync())));
      const inference = [0, 1].map(() => tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync())));
      model.dispose();
      return { out, inference };
    };
    const first = steps(5);
    expect(first.out[0]).not.toEqual(first.out[1]);
    expect(first.out[1]).not.toEqual(first.out[2]);
    expect(first.inference[0]).toEqual(first.inference[1]);
    expect(steps(5)).toEqual(first);
    x.dispose();
  });

  it('rejects a rate outside [0, 1) and a missing seed', () => {
    expect(() => new SeededDropout({ rate: 1, seed: 1 })).toThrow(LabbookError);
    expect(() => new SeededDropout({ rate: -0.1, seed: 1 })).toThrow('Invalid value for `rate`');
    expect(() => new SeededDropout({ rate: 0.5 } as never)).toThrow('Invalid value for `seed`');
  });
});

describe('SeededOrthogonal', () => {
  function gram(w: tf.Tensor2D, rows: boolean): number[][] {
    return tf.tidy(() => (rows ? tf.matMul(w, w, false, true) : tf.matMul(w, w, true, false)).arraySync() as number[][]);
  }
  function expectIdentity(m: number[][]): void {
    m.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 1 : 0, 5)));
  }

  it('gives orthonormal rows for a wide kernel and orthonormal columns for a tall one', () => {
    const wide = new SeededOrthogonal({ seed: 1 }).apply([8, 32]) as tf.Tensor2D;
    const tall = new SeededOrthogonal({ seed: 1 }).apply([32, 8]) as tf.Tensor2D;
    expectIdentity(gram(wide, true));
    expectIdentity(gram(tall, false));
    tf.dispose([wide, tall]);
  });

  it('is a function of its seed, and scales by gain', () => {
    const draw = (seed: number, gain?: number) =>
      tf.tidy(() => Array.from(new SeededOrthogonal({ seed, gain }).apply([6, 24]).dataSync()));
    expect(draw(4)).toEqual(draw(4));
    expect(draw(5)).not.toEqual(draw(4));
    draw(4, 2).forEach((v, i) => expect(v).toBeCloseTo(2 * draw(4)[i], 6));
  });

  it('is what the recurrent kernels of a built LSTM start from', () => {
    const model = buildModel({ kind: 'lstm', inputShape: [5, 3], units: [6] }, { seed: 2 });
    const recurrent = model.getLayer('lstm_1').getWeights()[1] as tf.Tensor2D;
    expect(recurrent.shape).toEqual([6, 24]);
    expectIdentity(gram(recurrent, true));
    model.dispose();
  });
});

describe('TokenEmbedding', () => {
  it('looks rows up as tf.gather does, and sums the gradients of repeated ids into their row', () => {
    const layer = new TokenEmbedding({ vocabSize: 7, outputDim: 3, seed: 1 });
    layer.apply(tf.input({ shape: [4] }));
    const table = layer.trainableWeights[0].read() as tf.Variable;
    const ids = tf.tensor2d([[1, 2, 2, 0], [6, 1, 1, 1]], [2, 4], 'int32');
    const w = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 4);
    const out = layer.apply(ids) as tf.Tensor;
    expect(out.shape).toEqual([2, 4, 3]);
    expect(out.dataSync()).toEqual(tf.gather(table, ids).dataSync());
    const ours = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(ids) as tf.Tensor, w)), [table]).grads[table.name];
    const reference = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), w)))(table);
    Array.from(ours.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(reference.dataSync()[i], 5));
    // Rows of ids that never occur get no gradient.
    expect(Array.from(ours.slice([3, 0], [3, 3]).dataSync())).toEqual(new Array(9).fill(0));
    tf.dispose([ids, w, out, ours, reference]);
    layer.dispose();
  });

  it('takes float ids as well as int32 ones', () => {
    const layer = new TokenEmbedding({ vocabSize: 5, outputDim: 2, seed: 3 });
    const a = layer.apply(tf.tensor2d([[1, 4]], [1, 2], 'int32')) as tf.Tensor;
    const b = layer.apply(tf.tensor2d([[1, 4]], [1, 2], 'float32')) as tf.Tensor;
    expect(b.dataSync()).toEqual(a.dataSync());
    layer.dispose();
  });
});

describe('PositionalEncoding', () => {
  it('adds sin/cos of pos / 10000^(2i/d), after scaling the input by sqrt(d)', () => {
    const d = 6;
    const x = tf.fill([1, 3, d], 0.5);
    const plain = (new PositionalEncoding({ scale: false }).apply(x) as tf.Tensor).arraySync() as number[][][];
    const scaled = (new PositionalEncoding().apply(x) as tf.Tensor).arraySync() as number[][][];
    for (let pos = 0; pos < 3; pos++) {
      for (let i = 0; i < d; i++) {
        const angle = pos / Math.pow(10000, (2 * Math.floor(i / 2)) / d);
        const pe = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
        expect(plain[0][pos][i]).toBeCloseTo(0.5 + pe, 6);
        expect(scaled[0][pos][i]).toBeCloseTo(0.5 * Math.sqrt(d) + pe, 5);
      }
    }
    x.dispose();
  });

  it('has no weights', () => {
    const model = buildModel(TINY.transformer, { seed: 1 });
    expect(model.getLayer('positional_encoding').weights).toHaveLength(0);
    model.dispose();
  });
});

describe('padding in the Transformer', () => {
  /** Final block outputs per position and the pooled vector, before and after randomizing the pad embedding. */
  function runWithPadEmbedding(config: TransformerConfig) {
    const model = buildModel(config, { seed: 21 });
    const lastNorm = model.getLayer(`block_${config.layers}_ff_norm`).output as tf.SymbolicTensor;
    const probe = tf.model({ inputs: model.inputs, outputs: [lastNorm, model.getLayer('pooling').output as tf.SymbolicTensor] });
    const ids = inputsFor(config, 4, 3);
    const run = () =>
      tf.tidy(() => (probe.predict(ids) as tf.Tensor[]).map((t) => t.arraySync() as number[][] | number[][][]));
    const before = run();
    // Everything a padded position contributes starts from row 0 of the embedding: move it far away.
    const embedding = model.getLayer('embedding');
    const table = embedding.getWeights()[0];
    const [vocab, d] = table.shape as [number, number];
    const moved = tf.tidy(() => {
      const noise = tf.randomNormal([1, d], 0, 5, 'float32', 99);
      return tf.concat([noise, table.slice([1, 0], [vocab - 1, d])], 0);
    });
    embedding.setWeights([moved]);
    const after = run();
    const idRows = ids.arraySync() as number[][];
    model.dispose();
    tf.dispose([ids, moved]);
    return { before, after, idRows };
  }

  it('leaves non-pad positions and the pooled output unchanged when the padded positions change (mean pooling)', () => {
    const { before, after, idRows } = runWithPadEmbedding(TINY.transformer);
    const [seqBefore, pooledBefore] = before as [number[][][], number[][]];
    const [seqAfter, pooledAfter] = after as [number[][][], number[][]];
    let padChanged = false;
    idRows.forEach((row, b) =>
      row.forEach((id, t) => {
        if (id !== 0) expect(seqAfter[b][t]).toEqual(seqBefore[b][t]);
        else padChanged ||= seqAfter[b][t].some((v, i) => v !== seqBefore[b][t][i]);
      }),
    );
    expect(padChanged).toBe(true); // the edit did reach the padded positions themselves
    expect(pooledAfter).toEqual(pooledBefore);
  });

  it('mean-pools over the non-pad positions only', () => {
    const { before, idRows } = runWithPadEmbedding(TINY.transformer);
    const [seq, pooled] = before as [number[][][], number[][]];
    idRows.forEach((row, b) => {
      const kept = row.map((id, t) => (id !== 0 ? seq[b][t] : null)).filter((v): v is number[] => v !== null);
      const mean = kept[0].map((_, i) => kept.reduce((s, v) => s + v[i], 0) / kept.length);
      mean.forEach((v, i) => expect(pooled[b][i]).toBeCloseTo(v, 5));
    });
  });

  it('takes position 0 for first pooling, also unchanged by the padded positions', () => {
    const { before, after } = runWithPadEmbedding(TINY.transformerFirst);
    const [seq, pooled] = before as [number[][][], number[][]];
    pooled.forEach((p, b) => expect(p).toEqual(seq[b][0]));
    expect(after[1]).toEqual(pooled);
  });
});

describe('bidirectional layers', () => {
  it('line the backward direction up with the input steps', () => {
    // Backward output at step t has read steps t..end: changing step 0 moves it at step 0 only.
    const model = buildModel({ kind: 'gru', inputShape: [5, 2], units: [3, 2], bidirectional: true }, { seed: 6 });
    const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer('gru_1').output as tf.SymbolicTensor });
    const x = tf.randomUniform([1, 5, 2], -1, 1, 'float32', 8);
    const changed = tf.tidy(() => tf.concat([tf.add(x.slice([0, 0, 0], [1, 1, 2]), 0.7), x.slice([0, 1, 0], [1, 4, 2])], 1));
    const a = (probe.predict(x) as tf.Tensor).arraySync() as number[][][];
    const b = (probe.predict(changed) as tf.Tensor).arraySync() as number[][][];
    const moved = (t: number, half: 'forward' | 'backward') => {
      const range = half === 'forward' ? [0, 3] : [3, 6];
      return a[0][t].slice(...range).some((v, i) => v !== b[0][t].slice(...range)[i]);
    };
    expect([0, 1, 2, 3, 4].map((t) => moved(t, 'forward'))).toEqual([true, true, true, true, true]);
    expect([0, 1, 2, 3, 4].map((t) => moved(t, 'backward'))).toEqual([true, false, false, false, false]);
    tf.dispose([x, changed]);
    model.dispose();
  });
});
