import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend, loadNativeAddon } from '../../kernel-lib/src/backend';
import type { Backend } from '../../kernel-lib/src/backend/native/kernels/util';
import { BINARY_OPS, collapse, MIN_NATIVE_SIZE, UNARY_OPS } from '../../kernel-lib/src/backend/native/kernels/elementwise';
import { between, on, pick, relativeError, rngFor, withoutMathRandom, type Result } from './helpers';
import type { Rng } from '../../kernel-lib/src/repro/rng';
import { addon, bits, everywhere, expectOneResult, restorePathAfterAll } from './native-paths';

const TOLERANCE = 1e-5;
const CASES = 24;
const built = loadNativeAddon().ok;

type BinaryOp = (typeof BINARY_OPS)[number];
type UnaryOp = (typeof UNARY_OPS)[number];
type Shape = number[];

/** Draws one input value; each op gets values from its domain (positive for log, away from 0 for division...). */
type Draw = (rng: Rng) => number;
const normal = (scale: number): Draw => (rng) => scale * rng.normal();
const positive: Draw = (rng) => 0.1 + 2 * Math.abs(rng.normal());
const awayFromZero: Draw = (rng) => (rng.normal() < 0 ? -1 : 1) * (0.3 + Math.abs(rng.normal()));

const BINARY: Record<BinaryOp, { f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor; a: Draw; b: Draw }> = {
  Add: { f: tf.add, a: normal(2), b: normal(2) },
  Sub: { f: tf.sub, a: normal(2), b: normal(2) },
  Multiply: { f: tf.mul, a: normal(2), b: normal(2) },
  RealDiv: { f: tf.div, a: normal(2), b: awayFromZero },
  Maximum: { f: tf.maximum, a: normal(2), b: normal(2) },
  Minimum: { f: tf.minimum, a: normal(2), b: normal(2) },
  SquaredDifference: { f: tf.squaredDifference, a: normal(2), b: normal(2) },
  Pow: { f: tf.pow, a: (rng) => 0.5 + Math.abs(rng.normal()), b: normal(1.5) },
  Prelu: { f: tf.prelu, a: normal(2), b: normal(0.5) },
};

const UNARY: Record<UnaryOp, { f: (x: tf.Tensor) => tf.Tensor; x: Draw }> = {
  Relu: { f: tf.relu, x: normal(2) },
  Relu6: { f: tf.relu6, x: normal(5) },
  Elu: { f: tf.elu, x: normal(4) },
  Exp: { f: tf.exp, x: normal(3) },
  Log: { f: tf.log, x: positive },
  Log1p: { f: tf.log1p, x: (rng) => -0.9 + 2 * Math.abs(rng.normal()) },
  Sqrt: { f: tf.sqrt, x: positive },
  Rsqrt: { f: tf.rsqrt, x: positive },
  Square: { f: tf.square, x: normal(2) },
  Neg: { f: tf.neg, x: normal(2) },
  Abs: { f: tf.abs, x: normal(2) },
  Sigmoid: { f: tf.sigmoid, x: normal(8) },
  Tanh: { f: tf.tanh, x: normal(4) },
  Softplus: { f: tf.softplus, x: normal(10) },
  Step: { f: (x) => tf.step(x, 0.3), x: normal(2) },
  Erf: { f: tf.erf, x: normal(2) },
  Reciprocal: { f: tf.reciprocal, x: awayFromZero },
  LeakyRelu: { f: (x) => tf.leakyRelu(x, 0.2), x: normal(2) },
  ClipByValue: { f: (x) => tf.clipByValue(x, -0.7, 1.3), x: normal(2) },
};

const SAME_SHAPE_GRADIENTS: readonly string[] = ['Maximum', 'Minimum', 'SquaredDifference'];

function fill(rng: Rng, shape: Shape, draw: Draw): Float32Array {
  const out = new Float32Array(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < out.length; ++i) out[i] = draw(rng);
  return out;
}

/** The largest dim drawn at each rank: most shapes then exceed the native threshold, none gets big. */
const MAX_DIM = [1, 300, 30, 10, 6, 4];

function randomShape(rng: Rng, rank: number, minDim = 3): Shape {
  return Array.from({ length: rank }, () => between(rng, minDim, MAX_DIM[rank]));
}

/** Shape pair `i` cycles through the broadcast kinds: ranks 0..5, dims of 1, a 0-size case, one below the native threshold. */
function shapePair(rng: Rng, i: number): [Shape, Shape] {
  const kinds = ['same', 'scalar-b', 'scalar-a', 'bias', 'bias-a', 'general', 'general-wide', 'ones', 'zero', 'small', 'rank0', 'general'] as const;
  const kind = kinds[i % kinds.length];
  const rank = between(rng, 1, 5);
  const out = randomShape(rng, rank);
  switch (kind) {
    case 'same':
      return [out, out];
    case 'scalar-b':
      return [out, pick(rng, [[], [1], out.map(() => 1)])];
    case 'scalar-a':
      return [pick(rng, [[], [1]]), out];
    case 'bias': {
      // b's shape is trailing dims of a's (a bias add).
      const a = [...out, between(rng, 8, 40)];
      return [a, a.slice(-between(rng, 1, a.length - 1))];
    }
    case 'bias-a': {
      const b = [...out, between(rng, 8, 40)];
      return [b.slice(-between(rng, 1, b.length - 1)), b];
    }
    case 'ones':
      return [out.map((d, k) => (k % 2 ? 1 : d)), out.map((d, k) => (k % 2 ? d : 1))];
    case 'zero':
      return [[...out.slice(0, -1), 0], out.map(() => 1)];
    case 'small':
      return [[between(rng, 1, 4)], [1]];
    case 'rank0':
      return [[], []];
    default: {
      // Each side keeps a dim or broadcasts it (size 1), and may drop leading dims.
      const wide = kind === 'general-wide' ? [...randomShape(rng, Math.min(rank, 4)).map((d) => Math.min(d, 4)), between(rng, 20, 70)] : out;
      const side = () => wide.map((d) => (rng.int(3) === 0 ? 1 : d)).slice(rng.int(2) === 0 ? rng.int(wide.length + 1) : 0);
      return [side(), side()];
    }
  }
}

let maxError = 0;

/** Counts the addon's calls to `fn` while `body` runs (to show random cases really ran natively). */
async function countCalls(fn: 'binary' | 'unary' | 'addN', body: () => Promise<unknown>): Promise<number> {
  const addon = (loadNativeAddon() as { addon: Backend['addon'] }).addon;
  const spy = vi.spyOn(addon, fn);
  try {
    await body();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

/**
 * Runs `compute` on cpu and on native: the same shape, dtype and values -- or, where tfjs itself
 * fails (broadcast gradients of empty tensors reshape 0 elements to 1), the same error. Says
 * whether values were compared.
 */
async function expectSame(label: string, compute: () => tf.Tensor): Promise<boolean> {
  let expected: Result;
  try {
    expected = await on('cpu', compute);
  } catch (err) {
    await expect(on('native', compute), label).rejects.toThrow((err as Error).message);
    return false;
  }
  const actual = await on('native', compute);
  expect(actual.shape, label).toEqual(expected.shape);
  expect(actual.dtype, label).toBe(expected.dtype);
  const error = relativeError(actual.values, expected.values);
  maxError = Math.max(maxError, error);
  expect(error, label).toBeLessThanOrEqual(TOLERANCE);
  return true;
}

/** NaN, infinities, signed zeros, denormals, values at the ops' thresholds (relu6's 6, softplus's 13.9, float overflow). */
const SPECIAL = [
  NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 2, -2, 6, 7, -7, 1e-30, -1e-30, 1e-45, -1e-45, 13.95, -13.95,
  88, -88, -100, 100, 3.4e38, -3.4e38, 0.1, -1e-8,
];

/** Equal to cpu where cpu gives NaN, an infinity or a (signed) zero; within 1e-6 of it, element by element, elsewhere. */
function expectSpecialSame(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, inputs: string[]): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < expected.length; ++i) {
    const e = expected[i];
    const where = `${label} at ${inputs[i]}: native ${actual[i]}, cpu ${e}`;
    if (Number.isNaN(e) || !Number.isFinite(e) || e === 0) expect(Object.is(actual[i], e), where).toBe(true);
    else expect(Math.abs(actual[i] - e), where).toBeLessThanOrEqual(1e-6 * Math.abs(e));
  }
}

describe.skipIf(!built)('native element-wise kernels', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'native' });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('registers its own kernel for every op on native', () => {
    for (const name of [...BINARY_OPS, ...UNARY_OPS, 'AddN']) {
      const native = tf.getKernel(name, 'native');
      expect(native, name).toBeDefined();
      expect(native!.kernelFunc, name).not.toBe(tf.getKernel(name, 'cpu')!.kernelFunc);
    }
  });

  it('collapses broadcasts into as few (size, aStride, bStride) dims as possible', () => {
    expect([...collapse([2, 3, 4], [2, 3, 4], [2, 3, 4])]).toEqual([24, 1, 1]);
    expect([...collapse([2, 3, 4], [], [2, 3, 4])]).toEqual([24, 1, 0]);
    expect([...collapse([5, 3, 4], [3, 4], [5, 3, 4])]).toEqual([5, 12, 0, 12, 1, 1]);
    expect([...collapse([5, 1, 4], [1, 3, 1], [5, 3, 4])]).toEqual([5, 4, 0, 3, 0, 1, 4, 1, 0]);
    expect([...collapse([1, 1], [1], [1, 1])]).toEqual([1, 0, 0]);
  });

  it('runs the addon for float32 from the threshold on (cast storage included), and leaves int32 and tiny tensors to cpu', async () => {
    await initBackend({ prefer: 'native' });
    const addon = (tf.backend() as Backend).addon;
    const binary = vi.spyOn(addon, 'binary');
    const unary = vi.spyOn(addon, 'unary');
    const calls = () => [binary.mock.calls.length, unary.mock.calls.length];
    tf.tidy(() => tf.add(tf.ones([MIN_NATIVE_SIZE]), tf.ones([MIN_NATIVE_SIZE])).dataSync());
    tf.tidy(() => tf.exp(tf.ones([MIN_NATIVE_SIZE])).dataSync());
    expect(calls()).toEqual([1, 1]);
    const sum = tf.tidy(() => tf.add(tf.ones([100], 'int32'), tf.ones([100], 'int32')));
    expect(sum.dtype).toBe('int32');
    expect([...sum.dataSync()]).toEqual(new Array(100).fill(2));
    sum.dispose();
    tf.tidy(() => tf.relu(tf.ones([MIN_NATIVE_SIZE - 1])).dataSync());
    expect(calls()).toEqual([1, 1]);
    // A float32 cast of int32 or bool keeps the source's Int32Array/Uint8Array on the cpu backend.
    const cast = tf.tidy(() => tf.add(tf.cast(tf.ones([100], 'int32'), 'float32'), tf.cast(tf.ones([100], 'bool'), 'float32')));
    expect([...cast.dataSync()]).toEqual(new Array(100).fill(2));
    cast.dispose();
    const relu = tf.tidy(() => tf.relu(tf.cast(tf.fill([100], -3, 'int32'), 'float32')));
    expect([...relu.dataSync()]).toEqual(new Array(100).fill(0));
    relu.dispose();
    expect(calls()).toEqual([2, 2]);
  });

  it('rejects dims that would index past the arrays', () => {
    const addon = (tf.backend() as Backend).addon;
    const four = () => new Float32Array(4);
    expect(() => addon.binary(0, four(), four(), four(), Int32Array.of(8, 1, 1))).toThrow(RangeError);
    expect(() => addon.binary(0, four(), four(), four(), Int32Array.of(2, 4, 1))).toThrow(RangeError);
    expect(() => addon.binary(0, four(), four(), four(), Int32Array.of(0, 1, 1))).toThrow(RangeError);
    expect(() => addon.unary(0, new Float32Array(3), four(), 0, 0)).toThrow(RangeError);
  });

  for (const name of BINARY_OPS) {
    it(`${name} matches cpu forward and backward on ${CASES} broadcast shape pairs`, async () => {
      const { f, a: drawA, b: drawB } = BINARY[name];
      let forward = 0;
      let backward = 0;
      let native = 0;
      await withoutMathRandom(async () => {
        for (let i = 0; i < CASES; ++i) {
          const rng = rngFor('native-elementwise', name, i);
          let [aShape, bShape] = shapePair(rng, i);
          // Prelu's gradient only handles alpha broadcast into x (the output has x's shape).
          if (name === 'Prelu') aShape = tf.backend_util.assertAndGetBroadcastShape(aShape, bShape);
          const a = fill(rng, aShape, drawA);
          const b = fill(rng, bShape, drawB);
          const outShape = tf.backend_util.assertAndGetBroadcastShape(aShape, bShape);
          const dy = fill(rng, outShape, normal(1));
          const label = JSON.stringify({ name, aShape, bShape });
          native += await countCalls('binary', async () => {
            if (await expectSame(label, () => f(tf.tensor(a, aShape), tf.tensor(b, bShape)))) forward += 1;
          });
          // tfjs's gradients of these ignore broadcasting: theirs are checked on same-shape inputs.
          const [ga, gb, gaShape, gbShape] = SAME_SHAPE_GRADIENTS.includes(name)
            ? [fill(rng, outShape, drawA), fill(rng, outShape, drawB), outShape, outShape]
            : [a, b, aShape, bShape];
          for (const k of [0, 1]) {
            const grad = () => tf.grads(f)([tf.tensor(ga, gaShape), tf.tensor(gb, gbShape)], tf.tensor(dy, outShape))[k];
            if (await expectSame(`${JSON.stringify({ name, gaShape, gbShape })} d/d${'ab'[k]}`, grad)) backward += 1;
          }
        }
      });
      expect(forward).toBe(CASES);
      expect(backward).toBeGreaterThanOrEqual(40);
      expect(native).toBeGreaterThanOrEqual(CASES / 2);
    });

    it(`${name} gives cpu's NaN, infinities and signed zeros`, async () => {
      const n = SPECIAL.length;
      const a = SPECIAL.flatMap((x) => new Array(n).fill(x));
      const b = SPECIAL.flatMap(() => SPECIAL);
      const { f } = BINARY[name];
      const run = () => f(tf.tensor(a, [n, n]), tf.tensor(b, [n, n]));
      const expected = await on('cpu', run);
      const actual = await on('native', run);
      expectSpecialSame(name, actual.values, expected.values, a.map((x, i) => `(${x}, ${b[i]})`));
      // And with one side a scalar, through the broadcasting loops.
      for (const x of [NaN, -0, Infinity]) {
        const scalarRun = () => f(tf.tensor(SPECIAL.flatMap((v) => [v, v, v]), [3 * n]), tf.scalar(x));
        const e = await on('cpu', scalarRun);
        const r = await on('native', scalarRun);
        expectSpecialSame(`${name} with ${x}`, r.values, e.values, SPECIAL.flatMap((v) => [`${v}`, `${v}`, `${v}`]));
      }
    });
  }

  for (const name of UNARY_OPS) {
    it(`${name} matches cpu forward and backward on ${CASES} shapes`, async () => {
      const { f, x: draw } = UNARY[name];
      let native = 0;
      await withoutMathRandom(async () => {
        for (let i = 0; i < CASES; ++i) {
          const rng = rngFor('native-elementwise', name, i);
          const shape = i === 0 ? [] : i === 1 ? [3, 0, 2] : i === 2 ? [between(rng, 1, 60)] : randomShape(rng, between(rng, 1, 5), i % 3 === 0 ? 1 : 3);
          const x = fill(rng, shape, draw);
          const dy = fill(rng, shape, normal(1));
          const label = JSON.stringify({ name, shape });
          native += await countCalls('unary', () => expectSame(label, () => f(tf.tensor(x, shape))));
          await expectSame(`${label} d/dx`, () => tf.grad(f)(tf.tensor(x, shape), tf.tensor(dy, shape)));
        }
      });
      expect(native).toBeGreaterThanOrEqual(CASES / 2);
    });

    it(`${name} gives cpu's NaN, infinities and signed zeros`, async () => {
      // Repeated past the native threshold.
      const x = [...SPECIAL, ...SPECIAL, ...SPECIAL];
      const run = () => UNARY[name].f(tf.tensor(x, [x.length]));
      const expected = await on('cpu', run);
      const actual = await on('native', run);
      expectSpecialSame(name, actual.values, expected.values, x.map(String));
    });
  }

  it('attrs reach the kernels: Step, LeakyRelu and ClipByValue with other values', async () => {
    const rng = rngFor('native-elementwise', 'attrs');
    const x = fill(rng, [7, 19], normal(3));
    for (const alpha of [0, -1.5, 0.1, 1e-3]) {
      await expectSame(`step ${alpha}`, () => tf.step(tf.tensor(x, [7, 19]), alpha));
      await expectSame(`leakyRelu ${alpha}`, () => tf.leakyRelu(tf.tensor(x, [7, 19]), alpha));
    }
    for (const [lo, hi] of [[-1, 1], [0.1, 0.2], [-1e40, 1e40], [0, 0]]) {
      await expectSame(`clip ${lo} ${hi}`, () => tf.clipByValue(tf.tensor(x, [7, 19]), lo, hi));
    }
  });

  it(`AddN matches cpu forward and backward for 1 to 6 inputs on ${CASES} shapes`, async () => {
    let native = 0;
    await withoutMathRandom(async () => {
      for (let i = 0; i < CASES; ++i) {
        const rng = rngFor('native-elementwise', 'AddN', i);
        const shape = i === 0 ? [] : i === 1 ? [0, 4] : randomShape(rng, between(rng, 1, 5), i % 3 === 0 ? 1 : 3);
        const xs = Array.from({ length: between(rng, 1, 6) }, () => fill(rng, shape, normal(2)));
        const dy = fill(rng, shape, normal(1));
        const label = JSON.stringify({ shape, inputs: xs.length });
        const addN = (...ts: tf.Tensor[]) => tf.addN(ts);
        native += await countCalls('addN', () => expectSame(label, () => addN(...xs.map((x) => tf.tensor(x, shape)))));
        await expectSame(`${label} d/dx0`, () => tf.grads(addN)(xs.map((x) => tf.tensor(x, shape)), tf.tensor(dy, shape))[0]);
      }
      const n = SPECIAL.length;
      const special = () => tf.addN([tf.tensor(SPECIAL.flatMap((x) => new Array(n).fill(x))), tf.tensor(SPECIAL.flatMap(() => SPECIAL)), tf.zeros([n * n])]);
      const expected = await on('cpu', special);
      const actual = await on('native', special);
      expectSpecialSame('AddN', actual.values, expected.values, SPECIAL.flatMap((x) => SPECIAL.map((y) => `${x} + ${y} + 0`)));
    });
    expect(native).toBeGreaterThanOrEqual(CASES / 2);
  });

  it('reports the largest relative error seen', () => {
    console.log(`native element-wise: largest relative error vs cpu ${maxError.toExponential(2)}`);
    expect(maxError).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe.skipIf(!built)('native element-wise kernels split over threads', () => {
  restorePathAfterAll();
  const values = (seed: number, n: number, draw: Draw) => {
    const rng = rngFor('native-elementwise-threads', seed);
    return Float32Array.from({ length: n }, () => draw(rng));
  };
  const size = (shape: Shape) => shape.reduce((p, d) => p * d, 1);

  // Sliced by elements (one collapsed dim), by rows of a bias add, by rows of a broadcast column,
  // by an outer dim shorter than the slice (3 rows of 70,000), and a scalar operand.
  const PAIRS: [Shape, Shape][] = [[[140_001], [140_001]], [[1024, 256], [256]], [[32, 64, 64], [32, 64, 1]], [[3, 70_000], [3, 1]], [[8, 26, 26, 32], []]];
  // Each path and thread count against the cpu kernel's own result: a slice at a wrong offset
  // would be wrong alike at every thread count (one thread still walks the slices).
  it.each(PAIRS)('binary ops on %j and %j: cpu\'s bits at every thread count', async (aShape, bShape) => {
    const dims = collapse(aShape, bShape, aShape); // aShape is the broadcast shape in each pair
    for (const op of ['Add', 'Multiply', 'RealDiv', 'Maximum'] as const) {
      const a = values(1, size(aShape), BINARY[op].a);
      const b = values(2, Math.max(1, size(bShape)), BINARY[op].b);
      const cpu = await on('cpu', () => BINARY[op].f(tf.tensor(a, aShape), tf.tensor(b, bShape)));
      expectOneResult({ ...everywhere(() => {
        const result = new Float32Array(size(aShape));
        addon.binary(BINARY_OPS.indexOf(op), a, b, result, dims);
        return bits(result);
      }), cpu: bits(cpu.values as Float32Array) }, `${op} ${JSON.stringify([aShape, bShape])}`);
    }
  });

  it('unary ops on 140,001 elements: cpu\'s bits at every thread count', async () => {
    const x = values(3, 140_001, normal(3));
    for (const [op, f] of [['Relu', tf.relu], ['Exp', tf.exp], ['Tanh', tf.tanh], ['Sigmoid', tf.sigmoid]] as const) {
      const cpu = await on('cpu', () => f(tf.tensor(x)));
      expectOneResult({ ...everywhere(() => {
        const result = new Float32Array(x.length);
        addon.unary(UNARY_OPS.indexOf(op), x, result, 0, 0);
        return bits(result);
      }), cpu: bits(cpu.values as Float32Array) }, op);
    }
  });
});
