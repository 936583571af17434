/** labbook's native tfjs backend (OpenBLAS addon), when built. */
export { ADDON_PATH, ENABLE_HINT, loadNativeAddon, nativeAddonPath, type AddonStatus, type NativeAddon } from './addon';
export { NATIVE_BACKEND, NativeBackend, nativeKernelNames, registerNativeBackend } from './backend';
