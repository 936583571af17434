// labbook's weight quantizers give the tfjs converter's bytes (reference vectors from numpy) and tfjs's own decoder reads them back.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { toFloat16Bytes, toUint8 } from '../../kernel-lib/src/export';

/*
 * Produced once with numpy 2.4 by tensorflowjs/quantization.py's quantize_weights(data, np.uint8)
 * (its code copied into a script) and by data.astype(np.float16).view(np.uint16).
 */
const UINT8: Record<string, { values: number[]; codes: number[]; scale: number; min: number }> = {
  mixed: {"values":[1.252039909362793,0.30555689334869385,0.0675482302904129,-1.3044449090957642,-0.194171741604805,-0.24833127856254578,-0.057919036597013474,-0.4389004707336426,-0.030672717839479446,-0.3340526223182678,-0.919705331325531,0.6192356944084167,0.6169226169586182,1.196701169013977,0.03502354770898819,-0.28327420353889465,-0.3817519545555115,-1.0825340747833252,0.6876571774482727,-0.7707473635673523,-0.8295325636863708,-0.14395493268966675,1.0403038263320923,0.16570138931274414],"codes":[255,160,137,0,111,105,124,86,127,97,38,192,192,249,133,102,92,22,199,53,47,116,234,147],"scale":0.010025430660621793,"min":-1.3033059858808331},
  positive: {"values":[0.25,0.5,1.75,3,0.30000001192092896,2.200000047683716],"codes":[0,23,139,255,5,181],"scale":0.010784313725490196,"min":0.25},
  negative: {"values":[-3,-0.10000000149011612,-1.5,-2.25],"codes":[0,255,132,66],"scale":0.011372549013764251,"min":-3},
  constant: {"values":[0.699999988079071,0.699999988079071,0.699999988079071],"codes":[0,0,0],"scale":1,"min":0.699999988079071},
};
const FLOAT16: { values: number[]; bits: number[] } = {"values":[1,-2,65504,65520,9.99999993922529e-9,5.960464477539063e-8,2.9802322387695312e-8,8.940696716308594e-8,1.00048828125,1.00146484375,0.10000000149011612,-0,0.000060999998822808266,1000000,Infinity,0.33333298563957214],"bits":[15360,49152,31743,31744,0,1,0,2,15360,15362,11878,32768,1023,31744,31744,13653]};

/** Decodes through tfjs-core's own manifest decoder, as tf.loadLayersModel does. */
function decode(bytes: Uint8Array, n: number, quantization: object): Float32Array {
  const buffer = bytes.slice().buffer;
  const out = tf.io.decodeWeights(buffer, [{ name: 'w', shape: [n], dtype: 'float32', quantization } as tf.io.WeightsManifestEntry]);
  const values = out.w.dataSync() as Float32Array;
  out.w.dispose();
  return values;
}

describe('uint8 affine quantization as the tfjs converter does it', () => {
  for (const [name, ref] of Object.entries(UINT8)) {
    it(`gives the converter's codes, scale and min (${name})`, () => {
      const q = toUint8(Float32Array.from(ref.values));
      expect(Array.from(q.bytes)).toEqual(ref.codes);
      expect(q.spec).toEqual({ dtype: 'uint8', scale: ref.scale, min: ref.min });
      // Every value comes back within half a step, zero is exact when the range covers it.
      const back = decode(q.bytes, ref.values.length, q.spec);
      ref.values.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(ref.scale / 2 + 1e-6));
    });
  }

  it('keeps zero exact when the range covers it', () => {
    const values = Float32Array.from([-0.73, 0, 0.2, 1.9, 0]);
    const q = toUint8(values);
    const back = decode(q.bytes, values.length, q.spec);
    expect(back[1]).toBe(0);
    expect(back[4]).toBe(0);
  });
});

describe('float16 quantization', () => {
  it('gives numpy astype(float16) halves: round half to even, overflow to infinity, subnormals', () => {
    const bytes = toFloat16Bytes(Float32Array.from(FLOAT16.values));
    expect(Array.from(new Uint16Array(bytes.buffer, bytes.byteOffset, FLOAT16.values.length))).toEqual(FLOAT16.bits);
  });

  it('reads back through tfjs within float16 precision', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 7)));
    const back = decode(toFloat16Bytes(values), values.length, { dtype: 'float16' });
    values.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11));
  });
});
