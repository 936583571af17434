/** The forward pass a server runs on each batch, behind one small interface: tfjs (the ReadyModel itself) or onnxruntime-node on an ONNX export of it. */
import { invalidArgument } from '../errors';
import type { Prediction, ReadyModel } from '../model-package';

export type RuntimeName = 'tfjs' | 'onnx';
export const RUNTIMES: readonly RuntimeName[] = ['tfjs', 'onnx'];

/**
 * What the batcher calls: checked examples in, one prediction per example out. Input handling
 * (rows through the stored preprocessing, texts through the vocabulary) is the ReadyModel's in
 * every runtime; only the network's forward pass differs.
 */
export interface ServeRuntime {
  readonly name: RuntimeName;
  /** onnxruntime answers asynchronously (its own threads); tfjs-node synchronously. */
  predict(examples: unknown[]): Prediction[] | Promise<Prediction[]>;
  /** Frees the runtime's own resources (not the ReadyModel's weights: its owner disposes them). */
  close(): void;
}

export interface RuntimeOptions {
  /** Where the ONNX export is kept, one folder per model content (reused by the next server of the same weights). */
  cacheDir: string;
}

export function checkRuntime(name: unknown): RuntimeName {
  if (!RUNTIMES.includes(name as RuntimeName)) throw invalidArgument('runtime', `one of ${RUNTIMES.map((r) => JSON.stringify(r)).join(', ')}`, name);
  return name as RuntimeName;
}

/** The runtime named, ready for its first batch. */
export async function createRuntime(name: RuntimeName, model: ReadyModel, options: RuntimeOptions): Promise<ServeRuntime> {
  if (name === 'tfjs') return { name, predict: (examples) => model.predict(examples as never), close: () => {} };
  // Loaded only when asked for: onnxruntime-node's native library costs a tfjs server nothing.
  const { onnxRuntime } = require('./runtime-onnx') as typeof import('./runtime-onnx');
  return onnxRuntime(model, options.cacheDir);
}
