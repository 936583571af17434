import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import {
  encodeCheckpoint,
  parseCheckpoint,
  restoreWeights,
  serializeWeights,
} from '../../kernel-lib/src/repro/checkpoint';
import { sha256 } from '../../kernel-lib/src/repro/hash';
import { fixture } from './model';
import { labbookError } from '../helpers';

const { buildModel, inputs } = fixture;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function predict(model: tf.LayersModel): Float32Array {
  return tf.tidy(() => (model.predict(inputs(tf)) as tf.Tensor).dataSync() as Float32Array);
}

/** Replaces element `at` of weight `index` using `change` on its float32 bits. */
function editWeight(model: tf.LayersModel, index: number, at: number, change: (bits: Uint32Array) => void): void {
  const weights = model.getWeights();
  const data = Float32Array.from(weights[index].dataSync());
  const bits = new Uint32Array(data.buffer, at * 4, 1);
  change(bits);
  const replaced = tf.tensor(data, weights[index].shape);
  model.setWeights(weights.map((w, i) => (i === index ? replaced : w)));
  replaced.dispose();
}

const catchError = (fn: () => unknown): LabbookError => labbookError(fn);

describe('serializeWeights / restoreWeights', () => {
  it('restores into a fresh model: identical bytes and identical predictions', async () => {
    const source = buildModel(tf, { seed: 1 });
    const target = buildModel(tf, { seed: 100 });
    expect(predict(target)).not.toEqual(predict(source));

    const bytes = await serializeWeights(source);
    restoreWeights(target, bytes);

    expect(await serializeWeights(target)).toEqual(bytes);
    expect(predict(target)).toEqual(predict(source));
  });

  it('gives the same SHA-256 for equal weights whatever the auto-generated layer names', async () => {
    const a = buildModel(tf, { seed: 7 });
    const b = buildModel(tf, { seed: 7 });
    expect(a.weights[0].name).not.toBe(b.weights[0].name);
    expect(sha256(await serializeWeights(a))).toBe(sha256(await serializeWeights(b)));
  });

  it('carries non-trainable weights (batch-norm statistics) in model.weights order', async () => {
    const model = buildModel(tf);
    const { tensors } = parseCheckpoint(await serializeWeights(model));
    expect(tensors.map((t) => t.shape)).toEqual(model.weights.map((w) => w.shape));
    expect(model.weights.some((w) => !w.trainable)).toBe(true);
    model.getWeights().forEach((w, i) => expect(tensors[i].data).toEqual(w.dataSync()));
  });

  it('changes the SHA-256 when one weight moves by one ULP or flips sign', async () => {
    const model = buildModel(tf);
    const original = await serializeWeights(model);

    editWeight(model, 2, 5, (bits) => (bits[0] += 1));
    const ulp = await serializeWeights(model);
    expect(sha256(ulp)).not.toBe(sha256(original));

    restoreWeights(model, original);
    expect(sha256(await serializeWeights(model))).toBe(sha256(original));

    editWeight(model, 6, 0, (bits) => (bits[0] ^= 0x80000000));
    const signed = await serializeWeights(model);
    expect(new Set([sha256(original), sha256(ulp), sha256(signed)]).size).toBe(3);
  });

  it('does not leak tensors when restoring', async () => {
    const model = buildModel(tf);
    const bytes = await serializeWeights(model);
    const before = tf.memory().numTensors;
    restoreWeights(model, bytes);
    restoreWeights(model, bytes);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts a Buffer that is a view into a larger allocation', async () => {
    const model = buildModel(tf);
    const bytes = await serializeWeights(model);
    const view = Buffer.concat([Buffer.from([1, 2, 3]), bytes]).subarray(3);
    const target = buildModel(tf, { seed: 50 });
    restoreWeights(target, view);
    expect(await serializeWeights(target)).toEqual(bytes);
  });
});

describe('checkpoint format errors', () => {
  it('names the weight index and both shapes when the architecture differs', async () => {
    const bytes = await serializeWeights(buildModel(tf, { units: 8 }));
    const wider = buildModel(tf, { units: 9 });
    const before = await serializeWeights(wider);

    const err = catchError(() => restoreWeights(wider, bytes));
    expect(err.code).toBe('CHECKPOINT_FORMAT');
    expect(err.message).toMatch(/^Invalid value for `checkpoint`: expected weight 2 \(.*kernel\) with shape \[48,9\] float32, received shape \[48,8\] float32\. /);
    // Validation happens before anything is written: the model keeps its own weights.
    expect(await serializeWeights(wider)).toEqual(before);
  });

  it('reports a different weight count', async () => {
    const bytes = await serializeWeights(buildModel(tf, { batchNorm: true }));
    const err = catchError(() => restoreWeights(buildModel(tf, { batchNorm: false }), bytes));
    expect(err.code).toBe('CHECKPOINT_FORMAT');
    expect(err.message).toContain('expected 6 weights');
    expect(err.message).toContain('received a checkpoint of 10 weights');
  });

  it('rejects garbage, truncated, padded and wrong-format bytes', async () => {
    const model = buildModel(tf);
    const bytes = await serializeWeights(model);
    const garbage = Uint8Array.from({ length: 256 }, (_, i) => (i * 37 + 11) & 0xff);
    const headerLength = new DataView(bytes.buffer).getUint32(13, true);
    const header = new TextDecoder().decode(bytes.subarray(17, 17 + headerLength));
    const format2 = Uint8Array.from(bytes);
    format2.set(new TextEncoder().encode(header.replace('"format":1', '"format":2')), 17);

    const cases: [Uint8Array, RegExp][] = [
      [garbage, /expected bytes starting "LABBOOK-CKPT\\n"/],
      [new Uint8Array(0), /received 0 bytes/],
      [bytes.subarray(0, bytes.length - 1), /truncated/],
      [bytes.subarray(0, 20), /header length/],
      [Uint8Array.from([...bytes, 0]), /1 trailing/],
      [format2, /expected checkpoint format 1, received format 2/],
    ];
    for (const [input, message] of cases) {
      const err = catchError(() => restoreWeights(model, input));
      expect(err.code).toBe('CHECKPOINT_FORMAT');
      expect(err.message).toMatch(message);
      expect(catchError(() => parseCheckpoint(input)).code).toBe('CHECKPOINT_FORMAT');
    }
  });

  it('rejects arguments that are not bytes or not a model', async () => {
    const model = buildModel(tf);
    const err = catchError(() => restoreWeights(model, 'weights.bin' as unknown as Uint8Array));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe(
      'Invalid value for `bytes`: expected a Uint8Array holding a labbook checkpoint, received "weights.bin".',
    );
    await expect(serializeWeights({} as tf.LayersModel)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('encodeCheckpoint / parseCheckpoint', () => {
  it('writes the documented layout byte for byte', () => {
    const bytes = encodeCheckpoint([
      { shape: [2], dtype: 'float32', data: Float32Array.from([1.5, -2]) },
      { shape: [1], dtype: 'int32', data: Int32Array.from([7]) },
      { shape: [3], dtype: 'bool', data: Uint8Array.from([1, 0, 1]) },
    ]);
    const header =
      '{"format":1,"tensors":[{"shape":[2],"dtype":"float32"},{"shape":[1],"dtype":"int32"},{"shape":[3],"dtype":"bool"}]}';
    const expected = Buffer.concat([
      Buffer.from('LABBOOK-CKPT\n', 'ascii'),
      Buffer.from([header.length, 0, 0, 0]),
      Buffer.from(header, 'utf8'),
      Buffer.from([0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0]),
      Buffer.from([0x07, 0x00, 0x00, 0x00]),
      Buffer.from([1, 0, 1]),
    ]);
    expect(Buffer.from(bytes).toString('hex')).toBe(expected.toString('hex'));

    const parsed = parseCheckpoint(bytes);
    expect(parsed.format).toBe(1);
    expect(parsed.tensors).toEqual([
      { shape: [2], dtype: 'float32', data: Float32Array.from([1.5, -2]) },
      { shape: [1], dtype: 'int32', data: Int32Array.from([7]) },
      { shape: [3], dtype: 'bool', data: Uint8Array.from([1, 0, 1]) },
    ]);
  });

  it('refuses data whose length does not match its shape', () => {
    const err = catchError(() => encodeCheckpoint([{ shape: [3], dtype: 'float32', data: new Float32Array(2) }]));
    expect(err.message).toBe('Invalid value for `tensors[0].data`: expected 12 bytes for shape [3] float32, received "8 bytes".');
  });
});
