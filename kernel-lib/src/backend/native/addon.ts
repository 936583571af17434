/** Loading labbook's native addon (kernel-lib/native, built on x86-64-v3 Linux machines) and saying why it is absent. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LabbookError } from '../../errors';
import type { KernelAddon } from './kernels';

/**
 * The addon's functions (each kernel group declares its own). Arrays are row-major float32 (int32
 * where named); sizes are checked natively, so a wrong size throws instead of writing out of
 * bounds. Outputs are preallocated in JS and filled in place.
 */
export type NativeAddon = KernelAddon & {
  info(): NativeInfo;
  /** Switches the instruction path ('scalar' | 'avx2' | 'avx512'); false when the CPU lacks it. Every path gives the same bits. */
  setIsa(isa: NativeIsa): boolean;
  /** Threads the kernels use from the next call on (1 to 256). Results do not depend on it. */
  setThreads(threads: number): void;
};

export const NATIVE_ISAS = ['scalar', 'avx2', 'avx512'] as const;
export type NativeIsa = (typeof NATIVE_ISAS)[number];

export interface NativeInfo {
  /** The instruction path in use. */
  isa: NativeIsa;
  /** The instruction set the addon is compiled for, and what its bit-identity is promised on. */
  isaBaseline: 'x86-64-v3';
  /** Whether this CPU has AVX-512 (the widest path). */
  avx512: boolean;
  threads: number;
  compiler: string;
  /** The kernels' numerics version: results may differ between versions, never within one. */
  kernels: string;
}

export type AddonStatus = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

/** Where `npm run build` puts the addon (from dist/backend/native or src/backend/native alike). */
export const ADDON_PATH = join(__dirname, '..', '..', '..', 'native', 'build', 'Release', 'labbook_native.node');

/** What the native backend is recorded as coming from: labbook's own addon. */
export const NATIVE_PACKAGE = 'labbook/native';

export const ENABLE_HINT = 'build it on an x86-64 Linux machine with AVX2 and FMA, with g++ and make installed (`npm run build`)';

let status: AddonStatus | null = null;

/** The addon file this process loads: $LABBOOK_NATIVE_ADDON, else the build's. */
export function nativeAddonPath(): string {
  return process.env.LABBOOK_NATIVE_ADDON || ADDON_PATH;
}

/**
 * The addon, loaded once. $LABBOOK_NATIVE_ADDON points at another build (tests use a missing
 * path to exercise the fallback). $LABBOOK_NATIVE_ISA and $LABBOOK_NATIVE_THREADS choose the
 * instruction path and thread count (the addon reads them; they are checked here first, so a
 * mistake is an error that says so rather than a silent default).
 */
export function loadNativeAddon(): AddonStatus {
  if (status !== null) return status;
  const path = nativeAddonPath();
  if (!existsSync(path)) {
    status = { ok: false, reason: `not built (no ${path}); to enable it, ${ENABLE_HINT}` };
    return status;
  }
  checkSettings();
  try {
    status = { ok: true, addon: require(path) as NativeAddon, path };
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    status = { ok: false, reason: `failed to load ${path}: ${message}; rebuild it with \`npm run build\`` };
    return status;
  }
  const isa = process.env.LABBOOK_NATIVE_ISA;
  if (isa && !status.addon.setIsa(isa as NativeIsa)) {
    throw new LabbookError('INVALID_ARGUMENT', `LABBOOK_NATIVE_ISA was wrong: this CPU lacks ${isa}. Unset it, or choose scalar or avx2 (every path gives the same bits).`);
  }
  return status;
}

function checkSettings(): void {
  const isa = process.env.LABBOOK_NATIVE_ISA;
  if (isa && !(NATIVE_ISAS as readonly string[]).includes(isa)) {
    throw new LabbookError('INVALID_ARGUMENT', `LABBOOK_NATIVE_ISA was wrong: expected one of ${NATIVE_ISAS.join(', ')}, received ${JSON.stringify(isa)}. Unset it to use the widest path this CPU has (all give the same bits).`);
  }
  const threads = process.env.LABBOOK_NATIVE_THREADS;
  if (threads && !(/^\d+$/.test(threads) && Number(threads) >= 1 && Number(threads) <= 256)) {
    throw new LabbookError('INVALID_ARGUMENT', `LABBOOK_NATIVE_THREADS was wrong: expected a whole number from 1 to 256, received ${JSON.stringify(threads)}. Unset it to use every CPU (the thread count never changes a result).`);
  }
}

/**
 * Sets the native kernels' thread count and/or instruction path for the rest of the process
 * (neither changes a result's bits: that is what they are for in tests and benchmarks). Returns
 * the addon's info after the change; throws when the addon is not built or a value is wrong.
 */
export function configureNative(options: { threads?: number; isa?: NativeIsa }): NativeInfo {
  const loaded = loadNativeAddon();
  if (!loaded.ok) throw new LabbookError('MISSING_DEPENDENCY', `labbook's native backend is not available: ${loaded.reason}.`);
  if (options.threads !== undefined) {
    if (!Number.isInteger(options.threads) || options.threads < 1 || options.threads > 256) {
      throw new LabbookError('INVALID_ARGUMENT', `threads was wrong: expected a whole number from 1 to 256, received ${JSON.stringify(options.threads)}. Leave it out to keep ${loaded.addon.info().threads}.`);
    }
    loaded.addon.setThreads(options.threads);
  }
  if (options.isa !== undefined) {
    if (!(NATIVE_ISAS as readonly string[]).includes(options.isa)) {
      throw new LabbookError('INVALID_ARGUMENT', `isa was wrong: expected one of ${NATIVE_ISAS.join(', ')}, received ${JSON.stringify(options.isa)}. Leave it out to keep ${loaded.addon.info().isa}.`);
    }
    if (!loaded.addon.setIsa(options.isa)) throw new LabbookError('INVALID_ARGUMENT', `isa was wrong: this CPU lacks ${options.isa}. Choose scalar or avx2 (every path gives the same bits).`);
  }
  return loaded.addon.info();
}
