/** JavaScript kernels that training needs and tfjs-backend-wasm 4.22 does not have, registered on 'wasm'. */
import { getKernel, registerKernel, type KernelConfig } from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise-backprop';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';

/**
 * Found by training (forward, backward, sgd/momentum/adam/rmsprop updates) dense, conv2d/pool,
 * separable/depthwise conv, LSTM/GRU/SimpleRNN, Embedding and transformer-style models on wasm:
 * these four are the only kernels that were missing.
 */
const CONFIGS: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  unsortedSegmentSumConfig,
];

export const WASM_TRAINING_KERNELS: readonly string[] = CONFIGS.map((c) => c.kernelName);

/**
 * Registers each kernel the wasm backend lacks and returns the names now served by labbook's
 * implementations. Safe to call repeatedly; a kernel that a later tfjs-backend-wasm provides
 * itself is left to it.
 */
export function registerWasmTrainingKernels(): string[] {
  const ours: string[] = [];
  for (const config of CONFIGS) {
    const existing = getKernel(config.kernelName, 'wasm');
    if (existing === undefined) registerKernel(config);
    else if (existing.kernelFunc !== config.kernelFunc) continue;
    ours.push(config.kernelName);
  }
  return ours;
}

/** The kernels on 'wasm' that are labbook's implementations right now (nothing is registered here). */
export function activeWasmTrainingKernels(): string[] {
  return CONFIGS.filter((c) => getKernel(c.kernelName, 'wasm')?.kernelFunc === c.kernelFunc).map((c) => c.kernelName);
}
