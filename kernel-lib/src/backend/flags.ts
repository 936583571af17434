/** The tfjs flags (and process settings) that change numerics or determinism: pinned before a backend starts, then recorded. */
import * as tf from '@tensorflow/tfjs';

export type FlagValue = boolean | number | string | null;
export type Flags = { [flag: string]: FlagValue };

/**
 * The WebAssembly SIMD probe tfjs-backend-wasm runs itself (from GoogleChromeLabs'
 * wasm-feature-detect), done synchronously here so the answer can be pinned before init.
 */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11,
]);

export function detectWasmSimd(): boolean {
  // Node has WebAssembly; the compiler's ES2022 lib just does not declare it.
  const wasm = (globalThis as unknown as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  try {
    return wasm !== undefined && wasm.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/**
 * SIMD picks the binary (and XNNPACK's microkernels, hence rounding); multithreading would let
 * XNNPACK split reductions across a thread pool. Pinning both before init means the recorded
 * values are the ones the backend actually started with: SIMD as detected (a value set before,
 * say SIMD off to reproduce an older run, is kept), one thread. Needs the wasm package loaded,
 * since it registers these flags.
 */
export function pinWasmFlags(): void {
  const env = tf.env();
  if (!('WASM_HAS_SIMD_SUPPORT' in env.features)) env.set('WASM_HAS_SIMD_SUPPORT', detectWasmSimd());
  env.set('WASM_HAS_MULTITHREAD_SUPPORT', false);
}

/**
 * libtensorflow reads TF_DETERMINISTIC_OPS when its kernels are built: with it set, GPU kernels
 * that would use atomics (nondeterministic sums) pick deterministic algorithms instead. A value
 * the user set is kept and recorded.
 */
export function pinTensorflowEnv(): void {
  if (process.env.TF_DETERMINISTIC_OPS === undefined) process.env.TF_DETERMINISTIC_OPS = '1';
}

/** What a run records about the backend `name`: its numerics-relevant flags, read back from tfjs. */
export function readFlags(name: string, backend: tf.KernelBackend | null): Flags {
  const flags: Flags = {
    DEBUG: flagOrNull('DEBUG'),
    // Adam's and RMSprop's default epsilon and the losses' clipping come from here.
    epsilon: backend ? backend.epsilon() : null,
    floatPrecision: backend ? backend.floatPrecision() : null,
  };
  if (name === 'wasm') {
    const simd = flagOrNull('WASM_HAS_SIMD_SUPPORT');
    const threads = flagOrNull('WASM_HAS_MULTITHREAD_SUPPORT');
    flags.WASM_HAS_SIMD_SUPPORT = simd;
    flags.WASM_HAS_MULTITHREAD_SUPPORT = threads;
    flags.wasmBinary = simd && threads ? 'tfjs-backend-wasm-threaded-simd.wasm' : simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
  }
  if (name === 'tensorflow') {
    flags.TF_DETERMINISTIC_OPS = process.env.TF_DETERMINISTIC_OPS ?? null;
    const native = backend as { isUsingGpuDevice?: unknown } | null;
    flags.gpu = typeof native?.isUsingGpuDevice === 'boolean' ? native.isUsingGpuDevice : null;
  }
  return flags;
}

/**
 * A flag's value once tfjs has it. The wasm flags are only registered with the wasm package, and
 * their detectors are async, so they are read from the settled values, never evaluated here.
 */
function flagOrNull(flag: string): FlagValue {
  const env = tf.env();
  let value: unknown = env.features[flag];
  if (value === undefined && flag === 'DEBUG') value = env.getBool('DEBUG');
  return typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string' ? value : null;
}
