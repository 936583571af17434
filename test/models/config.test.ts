import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import {
  buildModel,
  describeModel,
  modelDefaults,
  parameterCount,
  resolveModelConfig,
  type ModelConfig,
} from '../../kernel-lib/src/models';
import { labbookError } from '../helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function countOf(config: ModelConfig): number {
  const model = buildModel(config, { seed: 1 });
  try {
    return parameterCount(model);
  } finally {
    model.dispose();
  }
}

const errorOf = (fn: () => unknown): LabbookError => labbookError(fn, 'INVALID_ARGUMENT');

describe('parameter counts of the default configs', () => {
  it('MLP 784-128-10: 101,770, as Keras counts it', () => {
    // (784*128 + 128) + (128*10 + 10)
    expect(countOf({ kind: 'mlp' })).toBe(101_770);
  });

  it('CNN on 28x28x1, conv32-pool-conv64-pool-dense128-10: 225,034', () => {
    // conv_1 3*3*1*32 + 32 = 320; 28 -> 26 -> pool 13
    // conv_2 3*3*32*64 + 64 = 18,496; 13 -> 11 -> pool 5; flatten 5*5*64 = 1,600
    // dense 1600*128 + 128 = 204,928; head 128*10 + 10 = 1,290
    expect(countOf({ kind: 'cnn' })).toBe(320 + 18_496 + 204_928 + 1_290);
    expect(countOf({ kind: 'cnn' })).toBe(225_034);
  });

  it('LSTM 2x64 over 100x10: 52,874', () => {
    // 4 gates * (units * (inputs + units) + units): 4*(64*74 + 64) = 19,200; 4*(64*128 + 64) = 33,024
    // head 64*10 + 10 = 650
    expect(countOf({ kind: 'lstm' })).toBe(19_200 + 33_024 + 650);
    expect(countOf({ kind: 'lstm' })).toBe(52_874);
  });

  it('GRU 2x64 over 100x10: 39,818 (one bias per gate; Keras reset_after=True would have 40,202)', () => {
    // 3 gates * (units * (inputs + units) + units): 3*(64*74 + 64) = 14,400; 3*(64*128 + 64) = 24,768
    // head 650. tfjs has no reset_after, so this is the original GRU.
    expect(countOf({ kind: 'gru' })).toBe(14_400 + 24_768 + 650);
    expect(countOf({ kind: 'gru' })).toBe(39_818);
  });

  it('bidirectional LSTM 2x64: 138,506, each layer doubled and the next one reading 2*64 inputs', () => {
    // 2 * 19,200 + 2 * 4*(64*(128 + 64) + 64) + (128*10 + 10) = 38,400 + 98,816 + 1,290
    expect(countOf({ kind: 'lstm', bidirectional: true })).toBe(138_506);
  });

  it('Transformer d=64, 4 heads, ff 256, 2 layers, vocab 1000, seq 64: 164,490', () => {
    // embedding 1000*64 = 64,000 (the positional encoding has no weights)
    // per block: attention 4*64*64 + 3*64 = 16,576 (q, v, o biases; no key bias)
    //            2 layer norms 2*(2*64) = 256
    //            feed-forward (64*256 + 256) + (256*64 + 64) = 33,088   -> 49,920 per block
    // head 64*10 + 10 = 650. (Keras's MultiHeadAttention, with a key bias, would give 164,618.)
    expect(countOf({ kind: 'transformer' })).toBe(64_000 + 2 * 49_920 + 650);
    expect(countOf({ kind: 'transformer' })).toBe(164_490);
  });
});

describe('describeModel', () => {
  it('lists each layer with its output shape and parameters, then the totals', () => {
    const model = buildModel({ kind: 'mlp' }, { seed: 1 });
    const text = describeModel(model);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^Layer\s+Type\s+Output shape\s+Params$/);
    expect(lines.find((l) => l.startsWith('dense_1'))).toMatch(/^dense_1\s+Dense\s+\[null, 128\]\s+100,480$/);
    expect(lines.find((l) => l.startsWith('head'))).toMatch(/^head\s+Dense\s+\[null, 10\]\s+1,290$/);
    expect(lines.at(-1)).toBe('Total params: 101,770 (trainable 101,770, non-trainable 0)');
    model.dispose();
  });

  it('names the custom layers of a Transformer', () => {
    const model = buildModel({ kind: 'transformer', vocabSize: 30, maxLen: 6, dModel: 8, heads: 2, ffDim: 8, layers: 1 }, { seed: 1 });
    const text = describeModel(model);
    expect(text).toMatch(/block_1_attention\s+LabbookMultiHeadAttention\s+\[null, 6, 8\]\s+280/);
    expect(text).toMatch(/pooling\s+LabbookSequencePooling\s+\[null, 8\]\s+0/);
    model.dispose();
  });

  it('rejects what is not a model', () => {
    expect(errorOf(() => describeModel({} as tf.LayersModel)).message).toContain('Invalid value for `model`');
    expect(errorOf(() => parameterCount(null as unknown as tf.LayersModel)).message).toContain('a tfjs LayersModel');
  });
});

describe('modelDefaults and resolveModelConfig', () => {
  it('gives the documented defaults, as fresh copies', () => {
    expect(modelDefaults('mlp')).toEqual({
      kind: 'mlp',
      task: 'classification',
      outputs: 10,
      dropout: 0,
      inputShape: [784],
      hidden: [128],
      activation: 'relu',
    });
    expect(modelDefaults('transformer')).toMatchObject({ vocabSize: 1000, maxLen: 64, dModel: 64, heads: 4, ffDim: 256, layers: 2, pooling: 'mean' });
    modelDefaults('cnn').filters.push(1);
    expect(modelDefaults('cnn').filters).toEqual([32, 64]);
  });

  it('fills in what a config leaves out; a regression head defaults to one output', () => {
    expect(resolveModelConfig({ kind: 'gru', units: [8] })).toEqual({ ...modelDefaults('gru'), units: [8] });
    expect(resolveModelConfig({ kind: 'mlp', task: 'regression' }).outputs).toBe(1);
    expect(resolveModelConfig({ kind: 'mlp', task: 'regression', outputs: 3 }).outputs).toBe(3);
  });

  it('says so when heads do not divide dModel', () => {
    const err = errorOf(() => buildModel({ kind: 'transformer', dModel: 64, heads: 5 }, { seed: 1 }));
    expect(err.message).toBe(
      'Invalid value for `config.heads`: expected a divisor of dModel (64): heads must divide dModel, ' +
        'each head attending over dModel / heads dimensions, received 5. Use one of 1, 2, 4, 8, 16, 32, 64, or change dModel.',
    );
  });

  it('suggests the key a typo meant', () => {
    const err = errorOf(() => buildModel({ kind: 'mlp', hiden: [32] } as ModelConfig, { seed: 1 }));
    expect(err.message).toBe(
      'Invalid value for `config`: expected only the keys of the mlp config ' +
        '(kind, task, outputs, dropout, inputShape, hidden, activation), received the unknown key "hiden". Did you mean "hidden"?',
    );
  });

  it('explains where a CNN runs out of image', () => {
    const err = errorOf(() => buildModel({ kind: 'cnn', filters: [8, 8, 8, 8] }, { seed: 1 }));
    expect(err.message).toContain('The feature map vanishes at the convolution of block 4');
    expect(err.message).toContain("use fewer filters entries, padding 'same'");
    // 'same' padding keeps the size through each convolution: 28 -> 14 -> 7 -> 3 -> 1
    expect(() => buildModel({ kind: 'cnn', filters: [2, 2, 2, 2], padding: 'same', dense: 4 }, { seed: 1 }).dispose()).not.toThrow();
  });

  it('rejects each bad field with the field name and what it expected', () => {
    const cases: [unknown, string][] = [
      [null, 'Invalid value for `config`: expected a model config object'],
      [{ kind: 'resnet' }, 'Invalid value for `config.kind`: expected one of "mlp", "cnn", "lstm", "gru", "transformer", received "resnet"'],
      [{ kind: 'mlp', task: 'ranking' }, 'Invalid value for `config.task`: expected one of "classification", "regression"'],
      [{ kind: 'mlp', outputs: 0 }, 'Invalid value for `config.outputs`: expected a positive integer, received 0'],
      [{ kind: 'mlp', dropout: 1 }, 'Invalid value for `config.dropout`: expected a rate from 0 (inclusive) to 1 (exclusive), received 1'],
      [{ kind: 'mlp', hidden: [64, 0] }, 'Invalid value for `config.hidden[1]`: expected a positive integer, received 0'],
      [{ kind: 'mlp', activation: 'sigmoid' }, 'Invalid value for `config.activation`: expected one of "relu", "tanh", "gelu"'],
      [{ kind: 'cnn', inputShape: [28, 28] }, 'Invalid value for `config.inputShape`: expected [height, width, channels]'],
      [{ kind: 'lstm', units: [] }, 'Invalid value for `config.units`: expected a non-empty array of positive integers'],
      [{ kind: 'gru', inputShape: [100] }, 'Invalid value for `config.inputShape`: expected [steps, features]'],
      [{ kind: 'transformer', vocabSize: 1 }, 'Invalid value for `config.vocabSize`: expected an integer of at least 2 (id 0 is padding)'],
      [{ kind: 'transformer', pooling: 'max' }, 'Invalid value for `config.pooling`: expected one of "mean", "first"'],
      [{ kind: 'transformer', layers: 1.5 }, 'Invalid value for `config.layers`: expected a positive integer, received 1.5'],
    ];
    for (const [config, message] of cases) {
      expect(errorOf(() => buildModel(config as ModelConfig, { seed: 1 })).message).toContain(message);
    }
  });

  it('requires a seed', () => {
    expect(errorOf(() => buildModel({ kind: 'mlp' }, {} as { seed: number })).message).toContain('Invalid value for `seed`');
    expect(errorOf(() => buildModel({ kind: 'mlp' }, undefined as unknown as { seed: number })).message).toContain(
      'Invalid value for `options`',
    );
  });
});
