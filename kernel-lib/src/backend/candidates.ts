/** Starting each backend labbook can select (tensorflow from either native package, wasm, cpu) and saying why one cannot start. */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { pinTensorflowEnv, pinWasmFlags } from './flags';
import { nativeSource, packageVersion, type BackendSource } from './info';
import { loadNativeAddon, nativeAddonPath, NATIVE_BACKEND, NATIVE_PACKAGE, registerNativeBackend } from './native';

export { NATIVE_PACKAGE };
import { registerWasmTrainingKernels } from './wasm-kernels';

export const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';
export const NODE_PACKAGE = '@tensorflow/tfjs-node';
export const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';


/** On success tfjs now runs on the backend; on failure tfjs's backend is whatever it was. */
export type Outcome = { ok: true; source: BackendSource; threads?: number } | { ok: false; reason: string };

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');

/** Where an installed package really comes from, without loading it. */
type Installed = { ok: true; entry: string; name: string; version: string | null } | { ok: false; reason: string };

export function findPackage(pkg: string, paths: string[]): Installed {
  let manifest: string;
  try {
    manifest = require.resolve(`${pkg}/package.json`, { paths });
  } catch {
    return { ok: false, reason: 'not installed' };
  }
  try {
    const json = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown; version?: unknown };
    const version = typeof json.version === 'string' ? json.version : null;
    // npm aliases ("@tensorflow/tfjs-node": "npm:@tensorflow/tfjs@4.22.0") install another
    // package under this folder name: loading it would register nothing.
    if (json.name !== pkg) {
      return { ok: false, reason: `an npm alias of ${String(json.name)}${version ? `@${version}` : ''}, without native TensorFlow` };
    }
    return { ok: true, entry: require.resolve(pkg, { paths }), name: pkg, version };
  } catch (err) {
    return { ok: false, reason: `unreadable (${firstLine(err)})` };
  }
}

/**
 * Loads a native TensorFlow package (its require registers and sets the 'tensorflow' backend),
 * keeping it only when it registered with the very tfjs labbook uses and, for the GPU package,
 * when a GPU answered. A GPU package that loaded without a GPU is reported with `cpuOnly`: it is
 * libtensorflow on the CPU, still the fastest choice when @tensorflow/tfjs-node is absent.
 */
export async function startTensorflow(
  pkg: string,
  paths: string[],
  needGpu: boolean,
): Promise<Outcome | { ok: false; reason: string; cpuOnly: BackendSource }> {
  const found = findPackage(pkg, paths);
  if (!found.ok) return found;
  pinTensorflowEnv();
  try {
    require(found.entry);
  } catch (err) {
    return { ok: false, reason: `failed to load: ${firstLine(err)}` };
  }
  if (tf.engine().findBackendFactory('tensorflow') === null) {
    return { ok: false, reason: 'loaded, but registered no tensorflow backend with the @tensorflow/tfjs labbook uses (a second copy of tfjs?)' };
  }
  if (!(await startBackend(() => tf.setBackend('tensorflow')))) {
    return { ok: false, reason: 'its tensorflow backend failed to start (tfjs printed why above)' };
  }
  const native = tf.engine().registry.tensorflow as { isUsingGpuDevice?: unknown; binding?: { TF_Version?: unknown } };
  const libtensorflow = typeof native.binding?.TF_Version === 'string' ? native.binding.TF_Version : null;
  const source: BackendSource = { backendPackage: pkg, backendVersion: found.version, libtensorflow };
  if (needGpu && native.isUsingGpuDevice !== true) return { ok: false, reason: 'loaded, but no GPU device answered', cpuOnly: source };
  return { ok: true, source };
}

/**
 * Starts tfjs-backend-wasm from the binaries inside the installed package (read from disk, never
 * fetched), single-threaded, with SIMD as detected, and with labbook's training kernels.
 */
export async function startWasm(): Promise<Outcome> {
  const found = findPackage(WASM_PACKAGE, [__dirname]);
  if (!found.ok) return found;
  let wasm: WasmModule;
  try {
    wasm = require(found.entry) as WasmModule;
  } catch (err) {
    return { ok: false, reason: `failed to load: ${firstLine(err)}` };
  }
  if (!('wasm' in tf.engine().registry)) {
    const binaries = join(dirname(require.resolve(`${WASM_PACKAGE}/package.json`, { paths: [__dirname] })), 'dist');
    if (!existsSync(join(binaries, 'tfjs-backend-wasm.wasm'))) {
      return { ok: false, reason: `its .wasm binaries are missing from ${binaries}` };
    }
    try {
      wasm.setWasmPaths(binaries + sep);
      wasm.setThreadsCount(1);
    } catch (err) {
      return { ok: false, reason: firstLine(err) };
    }
    pinWasmFlags();
  }
  registerWasmTrainingKernels();
  if (!(await startBackend(() => tf.setBackend('wasm')))) return { ok: false, reason: 'it failed to start (tfjs printed why above)' };
  return { ok: true, source: { backendPackage: WASM_PACKAGE, backendVersion: found.version }, threads: wasm.getThreadsCount() };
}

/** Starts labbook's native backend (its addon's kernels over the cpu backend's), on the addon's threads. */
export async function startNative(): Promise<Outcome> {
  const loaded = loadNativeAddon();
  if (!loaded.ok) return loaded;
  registerNativeBackend(loaded.addon);
  if (!(await startBackend(() => tf.setBackend(NATIVE_BACKEND)))) return { ok: false, reason: 'it failed to start (tfjs printed why above)' };
  return { ok: true, source: nativeSource()!, threads: loaded.addon.info().threads };
}

export async function startCpu(): Promise<Outcome> {
  if (!(await startBackend(() => tf.setBackend('cpu')))) return { ok: false, reason: 'it failed to start (tfjs printed why above)' };
  // The cpu backend prints an advert for tfjs-node on its first write; labbook has already
  // looked for tfjs-node and recorded why it is not used.
  const cpu = tf.engine().registry.cpu as { firstUse?: boolean } | undefined;
  if (cpu !== undefined && cpu.firstUse === true) cpu.firstUse = false;
  return { ok: true, source: { backendPackage: '@tensorflow/tfjs-backend-cpu', backendVersion: packageVersion('@tensorflow/tfjs-backend-cpu') } };
}

/** Whether `backend` could start here, judged from installed packages only (nothing loaded). */
export function looksAvailable(backend: 'tensorflow' | 'native' | 'wasm' | 'cpu', paths: string[]): boolean {
  if (backend === 'cpu') return true;
  if (backend === 'native') return existsSync(nativeAddonPath());
  if (backend === 'wasm') return findPackage(WASM_PACKAGE, [__dirname]).ok;
  return findPackage(GPU_PACKAGE, paths).ok || findPackage(NODE_PACKAGE, paths).ok;
}

/** tf.setBackend, false where it fails (tfjs itself prints why on the console). */
async function startBackend(start: () => Promise<boolean>): Promise<boolean> {
  try {
    return await start();
  } catch {
    return false;
  }
}

export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].trim().slice(0, 200);
}
