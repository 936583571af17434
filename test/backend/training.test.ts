import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../kernel-lib/src/backend';
import { withoutMathRandom } from './helpers';
import { MODEL_KINDS, OPTIMIZERS, type ModelKind, type OptimizerName } from './models';

const LOSS_TOLERANCE = 1e-4;
const STEPS = 3;

/** Losses of STEPS training steps (each before its update) and the weights after them. */
async function train(kind: ModelKind, opt: OptimizerName, backend: 'cpu' | 'wasm', initial?: Float32Array[]) {
  await initBackend({ prefer: backend });
  return withoutMathRandom(async () => {
    const trainer = kind.make(opt, initial);
    try {
      const losses: number[] = [];
      for (let i = 0; i < STEPS; ++i) losses.push(await trainer.step());
      return { losses, weights: trainer.weights() };
    } finally {
      trainer.dispose();
    }
  });
}

async function initialWeights(kind: ModelKind): Promise<Float32Array[]> {
  await initBackend({ prefer: 'cpu' });
  const trainer = kind.make('sgd');
  try {
    return trainer.weights();
  } finally {
    trainer.dispose();
  }
}

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
}

function bytesOf(arrays: Float32Array[]): Buffer {
  return Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
}

describe.each(MODEL_KINDS)('training $name on wasm', (kind) => {
  it.each(OPTIMIZERS)('%s: every kernel is there and the losses match cpu', async (opt) => {
    const initial = await initialWeights(kind);
    const cpu = await train(kind, opt, 'cpu', initial);
    const wasm = await train(kind, opt, 'wasm', initial);
    expect(wasm.losses.every(Number.isFinite)).toBe(true);
    // The first loss checks the forward pass; the later ones, the gradients and the update.
    for (let i = 0; i < STEPS; ++i) {
      expect(relative(wasm.losses[i], cpu.losses[i]), `step ${i}: wasm ${wasm.losses[i]}, cpu ${cpu.losses[i]}`).toBeLessThanOrEqual(LOSS_TOLERANCE);
    }
    // Training moved the weights (a gradient of zeros would pass the loss check above).
    expect(bytesOf(wasm.weights).equals(bytesOf(initial))).toBe(false);
  });

  it('gives bit-identical weights when run twice from the same seeds', async () => {
    const first = await train(kind, 'adam', 'wasm');
    const second = await train(kind, 'adam', 'wasm');
    expect(second.losses).toEqual(first.losses);
    expect(bytesOf(second.weights).equals(bytesOf(first.weights))).toBe(true);
  });
});

describe('the wasm backend labbook starts', () => {
  it('serves the gradient kernels tfjs-backend-wasm lacks, with labbook implementations', async () => {
    const info = await initBackend({ prefer: 'wasm' });
    expect(info.customKernels).toEqual([
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'UnsortedSegmentSum',
    ]);
    for (const name of info.customKernels) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });
});
