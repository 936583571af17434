/** TensorFlow.js backend selection (tensorflow, native, wasm, cpu), what a run records about it, and labbook's own kernels (native addon, wasm training kernels). */
export { availableBackends, initBackend, type InitBackendOptions } from './select';
export { registerFileIO } from './file-io';
import { registerFileIO } from './file-io';

// Stock tfjs has no `file://` handler in Node (only the native tfjs-node has): registered with
// the backends, so model.save('file://...') works wherever labbook's tfjs is set up.
registerFileIO();
export { BACKEND_NAMES, currentBackendInfo, type BackendInfo, type BackendName, type SkippedBackend } from './info';
export type { FlagValue, Flags } from './flags';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './wasm-kernels';
export { configureNative, loadNativeAddon, NATIVE_BACKEND, nativeKernelNames, type NativeAddon, type NativeInfo, type NativeIsa } from './native';
export { ADAM_UPDATE_KERNEL, ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL, GLOBAL_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL, LSTM_GRAD_KERNEL, LSTM_KERNEL, SPARSE_CE_GRAD_KERNEL, SPARSE_CE_KERNEL } from './native';
