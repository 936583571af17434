/**
 * The LSTM kernels' own numerics (native/src/rnn.cc): their float sigmoid and tanh
 * (src/portable-math-float.h) against Math on a dense spread of floats, read back through the
 * kernel itself, and the whole layer forward and backward with the same bits on every
 * instruction path and thread count. Agreement with tfjs's unrolled LSTM: native-lstm.test.ts;
 * the exhaustive 2^32-input check: kernel-lib/native/test/portable-math-check.cc.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../kernel-lib/src/repro/rng';
import { rngFor } from './helpers';
import { addon, bits, everywhere, expectOneResult, loaded, restorePathAfterAll } from './native-paths';


const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** A float's position on the number line of floats, so that neighbours differ by 1. */
function ordinal(x: number): number {
  f32[0] = x;
  return i32[0] < 0 ? -0x80000000 - i32[0] : i32[0];
}

/** Special values, the functions' branch points and ranges, normals at several scales, random bit patterns. */
function inputs(): Float32Array {
  const special = [NaN, Infinity, -Infinity, 0, 1, -1, 0.625, -0.625, 0.62499994, 1e-45, -1e-45, 1e-40, -1e-38, 1e-8, -1e-8,
    3.4028235e38, -3.4028235e38, 9, -9, 17, -17, 44, -44, 88.72283, -88.72284, 89, -89, 103.27893, -103.97208, -104, 105, -150];
  const rng = rngFor('native-lstm-math');
  const out = new Float32Array(special.length + 40_000);
  out.set(special);
  const bits = new Uint32Array(out.buffer);
  for (let i = special.length; i < out.length; ++i) {
    if (i % 4 === 3) bits[i] = (rng.int(0x10000) << 16) | rng.int(0x10000);
    else out[i] = rng.normal() * [1, 4, 30][i % 4];
  }
  return out;
}

describe.skipIf(!loaded.ok)('the LSTM kernels\' float activations and bits', () => {
  restorePathAfterAll();

  it('sigmoid within 2 ulp and tanh within 1 ulp of Math (read from the activated gates), NaN canonical', () => {
    // One step, one unit, input weights 1 and bias 0: each batch row's gates are sigmoid(x), its
    // forget gate, tanh(x) and sigmoid(x) (x * 1 + 0 is x, except that -0 becomes +0).
    const x = inputs();
    const n = x.length;
    const gates = new Float32Array(4 * n);
    addon.lstmForward(x, new Float32Array([1, 1, 1, 1]), new Float32Array(4), new Float32Array(4), gates, new Float32Array(n), new Float32Array(n), n, 1, 1, 1);
    const worst = { sigmoid: 0, tanh: 0 };
    const gateBits = new Uint32Array(gates.buffer);
    for (let b = 0; b < n; ++b) {
      const checks: [keyof typeof worst, number, number][] = [
        ['sigmoid', gates[4 * b], Math.fround(1 / (1 + Math.exp(-x[b])))],
        ['tanh', gates[4 * b + 2], Math.fround(Math.tanh(x[b]))],
        ['sigmoid', gates[4 * b + 3], Math.fround(1 / (1 + Math.exp(-x[b])))],
      ];
      for (const [name, actual, want] of checks) {
        const where = `${name}(${x[b]}): native ${actual}, Math ${want}`;
        if (Number.isNaN(want) || !Number.isFinite(want)) expect(Object.is(actual, want), where).toBe(true);
        else worst[name] = Math.max(worst[name], Math.abs(ordinal(actual) - ordinal(want)));
      }
      if (Number.isNaN(x[b])) expect(gateBits[4 * b].toString(16)).toBe('7fc00000');
    }
    expect(worst.sigmoid).toBeLessThanOrEqual(2);
    expect(worst.tanh).toBeLessThanOrEqual(1);
  });

  // The zoo's widths (products large enough to run in parallel), inputs as wide as a tile, and
  // odd widths that leave partial tiles.
  it.each([[16, 30, 64, 64], [16, 30, 10, 64], [9, 4, 16, 8], [7, 5, 3, 5], [13, 4, 9, 21]])('[B, T, I, U] = [%i, %i, %i, %i]: forward and backward give the same bits on every path and thread count', (B, T, I, U) => {
    const rng = createRng(7);
    const G = 4 * U;
    const fill = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
    const x = fill(B * T * I, 2), W = fill(I * G, 0.4), R = fill(U * G, 0.3), bias = fill(G, 0.5);
    const results = everywhere(() => {
      const gates = new Float32Array(B * T * G), cells = new Float32Array(B * T * U), hs = new Float32Array(B * T * U);
      addon.lstmForward(x, W, R, bias, gates, cells, hs, B, T, I, U);
      const grads = [new Float32Array(B * T * I), new Float32Array(I * G), new Float32Array(U * G), new Float32Array(G)];
      const dy = hs.map((h, k) => h * ((k % 7) - 3));
      addon.lstmBackward(dy, x, W, R, gates, cells, hs, grads[0], grads[1], grads[2], grads[3], B, T, I, U, 1);
      return bits(gates, cells, hs, ...grads);
    });
    expectOneResult(results);
  });
});
