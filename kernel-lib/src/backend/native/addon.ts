/** Loading labbook's native addon (kernel-lib/native, built on OpenBLAS when it is installed) and saying why it is absent. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelAddon } from './kernels';

/**
 * The addon's functions (each kernel group declares its own). Arrays are row-major float32 (int32
 * where named); sizes are checked natively, so a wrong size throws instead of writing out of
 * bounds. Outputs are preallocated in JS and filled in place.
 */
export type NativeAddon = KernelAddon & {
  info(): { openblas: string; openblasCore: string; threads: number; compiler: string };
};

export type AddonStatus = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

/** Where `npm run build` puts the addon (from dist/backend/native or src/backend/native alike). */
export const ADDON_PATH = join(__dirname, '..', '..', '..', 'native', 'build', 'Release', 'labbook_native.node');

/** What the native backend is recorded as coming from: labbook's own addon. */
export const NATIVE_PACKAGE = 'labbook/native';

export const ENABLE_HINT = 'install Debian\'s libopenblas-dev (apt-get install libopenblas-dev) and run `npm run build`';

let status: AddonStatus | null = null;

/** The addon file this process loads: $LABBOOK_NATIVE_ADDON, else the build's. */
export function nativeAddonPath(): string {
  return process.env.LABBOOK_NATIVE_ADDON || ADDON_PATH;
}

/**
 * The addon, loaded once. $LABBOOK_NATIVE_ADDON points at another build (tests use a missing
 * path to exercise the fallback). OpenBLAS is pinned to one thread before it loads, so it never
 * starts a thread pool; the addon pins it again itself.
 */
export function loadNativeAddon(): AddonStatus {
  if (status !== null) return status;
  const path = nativeAddonPath();
  if (!existsSync(path)) {
    status = { ok: false, reason: `not built (no ${path}); to enable it, ${ENABLE_HINT}` };
    return status;
  }
  process.env.OPENBLAS_NUM_THREADS = '1';
  try {
    status = { ok: true, addon: require(path) as NativeAddon, path };
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    status = { ok: false, reason: `failed to load ${path}: ${message}; rebuild it with \`npm run build\`` };
  }
  return status;
}
