/** labbook's native tfjs backend (its own addon: deterministic GEMM and C++ kernels), when built. */
export { ADDON_PATH, configureNative, ENABLE_HINT, loadNativeAddon, NATIVE_ISAS, NATIVE_PACKAGE, nativeAddonPath, type AddonStatus, type NativeAddon, type NativeInfo, type NativeIsa } from './addon';
export { NATIVE_BACKEND, nativeKernelNames, registerNativeBackend, type NativeBackend } from './backend';
export { ADAM_UPDATE_KERNEL, adamUpdateInPlace, GLOBAL_NORM_KERNEL, type AdamUpdateAttrs } from './kernels/optimizer';
export { LSTM_GRAD_KERNEL, LSTM_KERNEL } from './kernels/rnn';
export { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL, type AttentionAttrs } from './kernels/attention';
export { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from './kernels/layer-norm';
export { SPARSE_CE_GRAD_KERNEL, SPARSE_CE_KERNEL } from './kernels/loss';
export { runningBackendHas } from './kernels/util';
