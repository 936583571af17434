/**
 * The native addon's own transcendental functions (src/portable-math.h): through the kernels that
 * use them, each float result within 1 ulp of Math.fround(Math.fn(x)) and the special values exact;
 * and the built addon imports none from the C library, whose results vary with the CPU.
 * (The exhaustive 2^32-input check is kernel-lib/native/test/portable-math-check.cc, not run in CI.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend, loadNativeAddon } from '../../kernel-lib/src/backend';
import type { Backend } from '../../kernel-lib/src/backend/native/kernels/util';
import { rngFor } from './helpers';

const built = loadNativeAddon().ok;
const ADDON = join(__dirname, '..', '..', 'kernel-lib', 'native', 'build', 'Release', 'labbook_native.node');

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** A float's position on the number line of floats, so that neighbours differ by 1. */
function ordinal(x: number): number {
  f32[0] = x;
  return i32[0] < 0 ? -0x80000000 - i32[0] : i32[0];
}
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  return Math.abs(ordinal(a) - ordinal(b));
}

/** NaN, infinities, signed zeros, subnormals, the largest float, and the edges of each function's range. */
const SPECIAL = [
  NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 2, -2, 1e-45, -1e-45, 1e-40, -1e-40, 1.1754944e-38, 1e-30, -1e-30,
  1e-8, -1e-8, 3.4028235e38, -3.4028235e38, 88.72283, 88.72284, 89, -87.33655, -103.27893, -103.97208, -104, -150,
  9, 9.1, 10, -10, 13.95, -13.95, 17, -17, -0.9999999, -0.29289323, 0.41421357, 1e20, -1e20,
];

/** The spread: the special values, then normals at several scales and random float bit patterns. */
function inputs(): Float32Array {
  const rng = rngFor('portable-math');
  const out = new Float32Array(SPECIAL.length + 12_000);
  out.set(SPECIAL);
  const bits = new Uint32Array(out.buffer);
  for (let i = SPECIAL.length; i < out.length; ++i) {
    const kind = i % 4;
    if (kind === 3) bits[i] = (rng.int(0x10000) << 16) | rng.int(0x10000);
    else out[i] = rng.normal() * [1, 8, 60][kind];
  }
  return out;
}

/** `slack`: an absolute error also accepted, for formulas that cancel (elu's exp(x) - 1 near 0 keeps exp's error near 1). */
type Case = { name: string; f: (x: tf.Tensor) => tf.Tensor; ref: (x: number) => number; slack?: number };
const UNARY: Case[] = [
  { name: 'exp', f: tf.exp, ref: Math.exp },
  { name: 'log', f: tf.log, ref: Math.log },
  { name: 'log1p', f: tf.log1p, ref: Math.log1p },
  { name: 'tanh', f: tf.tanh, ref: Math.tanh },
  { name: 'sigmoid', f: tf.sigmoid, ref: (x) => 1 / (1 + Math.exp(-x)) },
  { name: 'elu', f: tf.elu, ref: (x) => (x >= 0 ? x : Math.exp(x) - 1), slack: 2 ** -52 },
  {
    name: 'softplus',
    f: tf.softplus,
    // tfjs's cpu formula, thresholds at log(float epsilon) + 2.
    ref: (x) => {
      const t = Math.log(1.1920928955078125e-7) + 2;
      return x < t ? Math.exp(x) : x > -t ? x : Math.log(1 + Math.exp(x));
    },
  },
];

/** Checks every element: exact where the reference is NaN, infinite or zero, else within 1 ulp; returns the share exactly equal. */
function expectWithinOneUlp(
  label: string,
  x: ArrayLike<number | string>,
  actual: ArrayLike<number>,
  reference: (i: number) => number,
  slack = 0,
): number {
  let exact = 0;
  for (let i = 0; i < actual.length; ++i) {
    const want = Math.fround(reference(i));
    const where = `${label}(${x[i]}): native ${actual[i]}, Math ${want}`;
    if (Number.isNaN(want) || !Number.isFinite(want) || want === 0) expect(Object.is(actual[i], want), where).toBe(true);
    else if (Math.abs(actual[i] - want) > slack) expect(ulps(actual[i], want), where).toBeLessThanOrEqual(1);
    if (Object.is(actual[i], want)) exact += 1;
  }
  return exact / actual.length;
}

describe.skipIf(!built)('native portable math', () => {
  const x = inputs();
  let addon: Backend['addon'];

  beforeAll(async () => {
    await initBackend({ prefer: 'native' });
    addon = (tf.backend() as Backend).addon;
  });

  afterAll(() => {
    vi.restoreAllMocks();
  });

  it.each(UNARY)('$name: within 1 ulp of Math.fround(Math), special values exact, run by the addon', ({ name, f, ref, slack }) => {
    const unary = vi.spyOn(addon, 'unary');
    const y = tf.tidy(() => f(tf.tensor1d(x)).dataSync());
    expect(unary).toHaveBeenCalled();
    unary.mockRestore();
    const share = expectWithinOneUlp(name, x, y, (i) => ref(x[i]), slack);
    expect(share, name).toBeGreaterThan(0.999);
  });

  it('gives the one canonical NaN whatever the bits of the input NaN (payload, sign, signalling), so no build can differ', () => {
    const bits = new Uint32Array(64);
    bits.set([0x7f800001, 0xff800001, 0x7fc00001, 0xffc00000, 0x7fbfffff, 0xffffffff]);
    const x = new Float32Array(bits.buffer);
    for (const { name, f } of UNARY) {
      const y = new Uint32Array(new Float32Array(tf.tidy(() => f(tf.tensor1d(x)).dataSync())).buffer);
      expect([...y.slice(0, 6)].map((u) => u.toString(16)), name).toEqual(new Array(6).fill('7fc00000'));
    }
  });

  it("pow: Math.pow's whole special-value table and a spread, within 1 ulp", () => {
    const bases = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 2, -2, 3, -3, 10, 4097, 257, 1e-45, -1e-45, 1e-20, 1e20, 0.9999999, 1.0000001];
    const exps = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2, -2, 3, -3, 0.5, -0.5, 2.5, -2.5, 1e-45, 64, 65, -64, 100, 1e10, -1e10, 16777217, 1e30];
    const rng = rngFor('portable-math', 'pow');
    const a: number[] = [];
    const b: number[] = [];
    for (const p of bases) for (const q of exps) a.push(p), b.push(q);
    for (let i = 0; i < 6000; ++i) {
      const negative = i % 3 === 0;
      a.push((negative ? -1 : 1) * Math.exp(rng.normal() * 3));
      b.push(negative ? Math.round(rng.normal() * 10) : rng.normal() * 8);
    }
    const af = Float32Array.from(a);
    const bf = Float32Array.from(b);
    const binary = vi.spyOn(addon, 'binary');
    const y = tf.tidy(() => tf.pow(tf.tensor1d(af), tf.tensor1d(bf)).dataSync());
    expect(binary).toHaveBeenCalled();
    binary.mockRestore();
    const labels = Array.from(af, (p, i) => `${p}, ${bf[i]}`);
    const share = expectWithinOneUlp('pow', labels, y, (i) => Math.pow(af[i], bf[i]));
    expect(share).toBeGreaterThan(0.999);
  });

  it('softmax rows stay within 2 ulp of the cpu kernel (exp, sum in double, divide)', async () => {
    const rng = rngFor('portable-math', 'softmax');
    const logits = Float32Array.from({ length: 64 * 50 }, () => rng.normal() * 6);
    logits.set([Infinity, -Infinity, NaN, 1e-45, -0, 88, -88, 1e30], 0);
    const compute = () => tf.softmax(tf.tensor2d(logits, [64, 50]));
    const native = tf.tidy(() => compute().dataSync());
    await initBackend({ prefer: 'cpu' });
    const cpu = tf.tidy(() => compute().dataSync());
    await initBackend({ prefer: 'native' });
    for (let i = 0; i < cpu.length; ++i) {
      const where = `softmax[${i}]: native ${native[i]}, cpu ${cpu[i]}`;
      if (Number.isNaN(cpu[i]) || cpu[i] === 0) expect(Object.is(native[i], cpu[i]), where).toBe(true);
      else expect(ulps(native[i], cpu[i]), where).toBeLessThanOrEqual(2);
    }
  });
});

// glibc's exp/log/tanh/pow and their float forms, and the other libm transcendentals, by name.
const LIBM = /^(__)?(exp|exp2|exp10|expm1|log|log1p|log2|log10|logb|tanh|sinh|cosh|atanh|pow|erf|erfc|sin|cos|tan)(f|l)?(_finite)?$/;
const nm = spawnSync('nm', ['--version'], { encoding: 'utf8' });

describe.skipIf(!built || !existsSync(ADDON) || nm.status !== 0)('the built addon', () => {
  it('imports no transcendental function from the C library (their bits depend on the CPU and glibc)', () => {
    const out = spawnSync('nm', ['-D', '--undefined-only', ADDON], { encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    const names = out.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/).pop() ?? '')
      .map((symbol) => symbol.replace(/@.*$/, ''));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => LIBM.test(name))).toEqual([]);
  });
});
