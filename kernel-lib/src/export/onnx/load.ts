/** loadOnnx: an exported model.onnx in onnxruntime-node, hash-verified first, run on Float32 batches. */
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { invalidArgument, LabbookError } from '../../errors';
import { verifyOnnx, type OnnxSidecar } from './sidecar';

export interface OnnxModel {
  /** The export's labbook.json: input contract, labels, task, whether outputs are logits. */
  readonly sidecar: OnnxSidecar;
  /** One example's input and output shapes (no batch axis). */
  readonly inputShape: number[];
  readonly outputShape: number[];
  /**
   * Runs one batch: `data` holds batchShape's product of values, row-major, batchShape being
   * [batch, ...inputShape]. Resolves to the outputs, [batch, ...outputShape] row-major.
   */
  run(data: Float32Array, batchShape: number[]): Promise<Float32Array>;
  /** Frees the session; run() after close() is refused. */
  close(): Promise<void>;
}

type Ort = typeof import('onnxruntime-node');

/** `path`: the export folder, or the .onnx file in it. */
export interface LoadOnnxOptions {
  /** onnxruntime's intra-op threads; its default otherwise. */
  threads?: number;
  /**
   * onnxruntime's graph optimizations: 'all' (its default) or 'basic'. At 'extended' and above it
   * fuses an int8 file's DequantizeLinear + MatMul into its own int8 kernel, whose outputs differ
   * from float math on the dequantized weights (by 5e-3 on a 64-128-64-10 MLP); 'basic' computes
   * exactly code * scale in float32.
   */
  optimization?: 'all' | 'basic';
}

const INSTALL_ORT = 'ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node@1.30 (its CPU binaries are in the package; the variable skips its install script, which downloads CUDA files)';

/**
 * onnxruntime-node, required only when an ONNX model is run (nothing else pays its load time). It is
 * an optional dependency: an install whose script failed (offline, its CUDA download) drops it.
 */
export function requireOnnxRuntime(): Ort {
  try {
    return require('onnxruntime-node') as Ort;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new LabbookError('MISSING_DEPENDENCY', `Cannot run an ONNX model: expected the optional package onnxruntime-node, received none installed. Install it: ${INSTALL_ORT}.`);
  }
}

/** "onnxruntime-node 1.30", what a run records as the runtime it measured with. */
export function onnxRuntimeName(): string {
  requireOnnxRuntime();
  return `onnxruntime-node ${(require('onnxruntime-node/package.json') as { version: string }).version.split('.').slice(0, 2).join('.')}`;
}

export async function loadOnnx(path: string, options: LoadOnnxOptions = {}): Promise<OnnxModel> {
  if (typeof path !== 'string' || path === '') throw invalidArgument('path', 'the folder exportOnnx wrote, or its .onnx file', path);
  const { sidecar, bytes } = verifyOnnx(path);
  const ort = requireOnnxRuntime();
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
  if (options.optimization !== undefined && options.optimization !== 'all' && options.optimization !== 'basic') throw invalidArgument('optimization', '"all" or "basic"', options.optimization);
  const sessionOptions = { graphOptimizationLevel: options.optimization ?? 'all', ...(options.threads ? { intraOpNumThreads: options.threads } : {}) };
  const session = await withoutTempLeftovers(() => ort.InferenceSession.create(bytes, sessionOptions));
  const { inputName, outputName, inputShape, outputShape } = sidecar.onnx;
  const rowSize = inputShape.reduce((a, b) => a * b, 1);
  let closed = false;
  return {
    sidecar,
    inputShape: [...inputShape],
    outputShape: [...outputShape],
    async run(data, batchShape) {
      if (closed) throw invalidArgument('model', 'an open ONNX model', 'one already closed', 'Call loadOnnx() again.');
      // By tag, not instanceof: a Float32Array from another realm (a vm context, a test runner) is one too.
      if (Object.prototype.toString.call(data) !== '[object Float32Array]') throw invalidArgument('data', 'a Float32Array', data);
      const [batch, ...rest] = Array.isArray(batchShape) ? batchShape : [];
      if (!Number.isSafeInteger(batch) || batch < 1 || rest.length !== inputShape.length || rest.some((d, i) => d !== inputShape[i])) {
        throw invalidArgument('batchShape', `[batch, ${inputShape.join(', ')}]`, batchShape);
      }
      if (data.length !== batch * rowSize) throw invalidArgument('data', `${batch * rowSize} values for a batch of shape [${batchShape.join(', ')}]`, `${data.length} values`);
      const result = await session.run({ [inputName]: new ort.Tensor('float32', new Float32Array(data.buffer, data.byteOffset, data.length), batchShape) });
      return result[outputName].data as Float32Array;
    },
    async close() {
      if (closed) return;
      closed = true;
      await session.release();
    },
  };
}

/**
 * onnxruntime-node 1.30's library writes $TMPDIR/.ses (an id) and an empty $TMPDIR/mat-debug-PID.log
 * when a session is created, and never removes them; labbook leaves nothing in the temp folder, so
 * what was not there before goes again (.ses stays when another process had already made it).
 */
async function withoutTempLeftovers<T>(create: () => Promise<T>): Promise<T> {
  const files = [join(tmpdir(), '.ses'), join(tmpdir(), `mat-debug-${process.pid}.log`)];
  const before = files.map((f) => existsSync(f));
  try {
    return await create();
  } finally {
    files.forEach((f, i) => {
      if (!before[i]) rmSync(f, { force: true });
    });
  }
}
