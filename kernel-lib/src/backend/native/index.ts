/** labbook's native tfjs backend (OpenBLAS addon), when built. */
export { ADDON_PATH, ENABLE_HINT, loadNativeAddon, NATIVE_PACKAGE, nativeAddonPath, type AddonStatus, type NativeAddon } from './addon';
export { NATIVE_BACKEND, nativeKernelNames, registerNativeBackend, type NativeBackend } from './backend';
export { ADAM_UPDATE_KERNEL, GLOBAL_NORM_KERNEL, type AdamUpdateAttrs } from './kernels/optimizer';
export { LSTM_GRAD_KERNEL, LSTM_KERNEL } from './kernels/rnn';
export { SPARSE_CE_GRAD_KERNEL, SPARSE_CE_KERNEL } from './kernels/loss';
export { runningBackendHas } from './kernels/util';
