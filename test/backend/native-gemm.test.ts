/**
 * labbook's GEMM gives the same bits on every instruction path (scalar reference, AVX2, AVX-512)
 * and thread count, for products of every shape the kernels meet (edges of tiles and k blocks,
 * transposes, accumulation, batches) and for the convolutions built on it. Whole-model hashes:
 * test/experiment/portable-native.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { NativeIsa } from '../../kernel-lib/src/backend/native';
import { runNode } from '../helpers';
import { createRng } from '../../kernel-lib/src/repro/rng';
import { addon, bits, everywhere as onEveryPath, expectOneResult, loaded, restorePathAfterAll } from './native-paths';

/** The same computation on every path x thread count: one result each, keyed by the path. */
const everywhere = (compute: () => Float32Array) => onEveryPath(() => bits(compute()));

function values(seed: number, n: number): Float32Array {
  const rng = createRng(seed);
  // Mixed magnitudes, so a changed order of additions would show in the low bits.
  return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * 2 ** Math.floor(rng.next() * 12 - 6));
}

describe.skipIf(!loaded.ok)(`labbook's GEMM${loaded.ok ? '' : ` (${loaded.ok === false ? loaded.reason : ''})`}`, () => {
  restorePathAfterAll();

  // Tile edges (6/12 rows, 8/16/32/64 columns and the narrow last panels of 10 and 17), k blocks
  // of 512 (513, 600), parallel-sized products on the direct path (in place, B copied for its
  // 1 KB rows at [600, 256, 70], a 10-class head) and the packed one (over 2^25 multiply-adds).
  const SHAPES: [number, number, number][] = [[1, 1, 1], [7, 5, 3], [6, 16, 256], [13, 33, 513], [12, 32, 512], [128, 128, 784], [250, 70, 600], [37, 1030, 300], [3, 2000, 5], [300, 1, 40], [600, 256, 70], [129, 17, 65], [64, 10, 2048], [530, 260, 300]];

  it.each(SHAPES)('M=%i N=%i K=%i: every transpose, identical bits on every path and thread count', (M, N, K) => {
    const a = values(M * 31 + K, M * K);
    const b = values(N * 17 + K, K * N);
    for (const [transA, transB] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      expectOneResult(everywhere(() => {
        const out = new Float32Array(M * N);
        addon.matmul(a, b, out, 1, 1, 1, M, N, K, transA, transB);
        return out;
      }), `transA=${transA} transB=${transB}`);
    }
  });

  it('the result is the chain written out: fma over k in ascending order from +0', () => {
    const [M, N, K] = [5, 40, 700];
    // Multiples of 2^-12 in [-1, 1]: every product and every partial sum is exact in a double, so
    // Math.fround(a * b + acc) below is exactly one fused multiply-add rounded to float, while the
    // float sums do round (they need more than 24 bits), so another order would give other bits.
    const grid = (seed: number, n: number) => {
      const rng = createRng(seed);
      return Float32Array.from({ length: n }, () => Math.round((rng.next() * 2 - 1) * 4096) / 4096);
    };
    const a = grid(1, M * K);
    const b = grid(2, K * N);
    const expected = new Float32Array(M * N);
    for (let i = 0; i < M; ++i)
      for (let j = 0; j < N; ++j) {
        let acc = 0;
        for (let k = 0; k < K; ++k) acc = Math.fround(a[i * K + k] * b[k * N + j] + acc);
        expected[i * N + j] = acc;
      }
    expectOneResult({ ...everywhere(() => {
      const out = new Float32Array(M * N);
      addon.matmul(a, b, out, 1, 1, 1, M, N, K, 0, 0);
      return out;
    }), 'scalar x1': bits(expected) }, 'written out');
  });

  it('batched products (attention heads spread over threads) give identical bits', () => {
    const [batch, M, N, K] = [32, 64, 64, 16];
    const a = values(3, batch * M * K);
    const b = values(4, batch * K * N);
    expectOneResult(everywhere(() => {
      const out = new Float32Array(batch * M * N);
      addon.matmul(a, b, out, batch, batch, batch, M, N, K, 0, 1);
      return out;
    }), 'batch');
  });

  it('convolutions (implicit GEMM) and both their gradients give identical bits', () => {
    // batch, inH, inW, inC, outH, outW, outC, fH, fW, strideH, strideW, dilH, dilW, padTop, padLeft: 'same' 3x3 over 9x9x5 -> 9x9x20, and stride 2 valid.
    for (const geometry of [[2, 9, 9, 5, 9, 9, 20, 3, 3, 1, 1, 1, 1, 1, 1], [3, 11, 11, 3, 5, 5, 33, 3, 3, 2, 2, 1, 1, 0, 0]]) {
      const [B, H, W, C, oH, oW, oC, fH, fW] = geometry;
      const g = Int32Array.from(geometry);
      const x = values(5, B * H * W * C);
      const w = values(6, fH * fW * C * oC);
      const dy = values(7, B * oH * oW * oC);
      const none = new Float32Array(0);
      expectOneResult(everywhere(() => {
        const out = new Float32Array(B * oH * oW * oC);
        addon.conv2d(x, w, out, g, none, 0, 0, 0);
        return out;
      }), `conv2d ${geometry}`);
      expectOneResult(everywhere(() => {
        const dw = new Float32Array(w.length);
        addon.conv2dBackpropFilter(x, dy, dw, g);
        return dw;
      }), `filter gradient ${geometry}`);
      expectOneResult(everywhere(() => {
        const dx = new Float32Array(x.length);
        addon.conv2dBackpropInput(dy, w, dx, g);
        return dx;
      }), `input gradient ${geometry}`);
    }
  });

  it('refuses a thread count or path that is wrong, saying what it expected', () => {
    expect(() => addon.setThreads(0)).toThrow('setThreads: expected a whole number from 1 to 256, received 0');
    expect(() => addon.setIsa('sse2' as NativeIsa)).toThrow("setIsa: expected 'scalar', 'avx2' or 'avx512', received 'sse2'");
  });

  it('LABBOOK_NATIVE_ISA and LABBOOK_NATIVE_THREADS choose the path and threads; a wrong value is an error with the fix', async () => {
    const script = "const { configureNative } = require('labbook'); console.log(JSON.stringify(configureNative({})))";
    const ok = await runNode(['-e', script], { env: { LABBOOK_NATIVE_ISA: 'avx2', LABBOOK_NATIVE_THREADS: '3' } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ isa: 'avx2', threads: 3, isaBaseline: 'x86-64-v3' });
    const wrong = await runNode(['-e', script], { env: { LABBOOK_NATIVE_ISA: 'avx9' } });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('LABBOOK_NATIVE_ISA was wrong: expected one of scalar, avx2, avx512, received "avx9". Unset it');
    const threads = await runNode(['-e', script], { env: { LABBOOK_NATIVE_THREADS: 'many' } });
    expect(threads.stderr).toContain('LABBOOK_NATIVE_THREADS was wrong: expected a whole number from 1 to 256, received "many"');
  });
});
