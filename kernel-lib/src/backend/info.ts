/** What a run records about the TensorFlow.js backend it computed on (a description; it never starts a backend). */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import type { Json } from '../registry/types';
import { readFlags, type Flags } from './flags';
import { loadNativeAddon, NATIVE_PACKAGE, nativeKernelNames } from './native';
import { activeWasmTrainingKernels } from './wasm-kernels';

/** The backends labbook selects, fastest first. */
export const BACKEND_NAMES = ['tensorflow', 'native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** A backend the automatic selection passed over, and why. */
export type SkippedBackend = { backend: BackendName; package: string; reason: string };

export type BackendInfo = {
  /** The tfjs backend name: tensorflow, native, wasm or cpu (or another one a user set with tf.setBackend). */
  name: string;
  /** 'labbook' when initBackend chose it; 'tfjs' when tfjs's own default or tf.setBackend did. */
  selectedBy: 'labbook' | 'tfjs';
  /** Flags that change numerics or determinism, as the backend runs with them. */
  flags: Flags;
  versions: {
    tfjsCore: string;
    /** The npm package that provides the backend, and its version. */
    backendPackage: string | null;
    backendVersion: string | null;
    /** The TensorFlow C library behind the tensorflow backend. */
    libtensorflow?: string | null;
    /** What the native backend's results depend on: its kernels' numerics version, its instruction baseline, the compiler. */
    libraries?: { [library: string]: string };
  };
  /** Threads the backend computes with, where it says. */
  threads?: number;
  /** Kernels served by labbook's own implementations on this backend. */
  customKernels: string[];
  /** What the automatic selection tried first and passed over. */
  skipped?: SkippedBackend[];
};

/** Package name and version behind a backend, as the selection found them. */
export type BackendSource = {
  backendPackage: string;
  backendVersion: string | null;
  libtensorflow?: string | null;
  libraries?: { [library: string]: string };
};

let selected: { info: BackendInfo; requested: string } | null = null;

export function rememberSelection(requested: string, info: BackendInfo): void {
  selected = { requested, info };
}

/** The selection initBackend made for `requested`, if tfjs still runs on it. */
export function selectionFor(requested: string): BackendInfo | null {
  if (selected === null || selected.requested !== requested) return null;
  return tf.engine().backendName === selected.info.name ? selected.info : null;
}

/**
 * The backend tfjs computes on now, or null while none has started. Never starts one (tfjs would
 * start its default on the first tf.getBackend()), so recording the environment has no effects.
 */
export function currentBackendInfo(): BackendInfo | null {
  const name = tf.engine().backendName;
  if (!name) return null;
  if (selected !== null && selected.info.name === name) return refreshed(selected.info);
  return describeBackend(name, 'tfjs', sourceOf(name));
}

/** The info to record for backend `name` now running in tfjs. */
export function describeBackend(
  name: string,
  selectedBy: BackendInfo['selectedBy'],
  source: BackendSource | null,
  extra: { threads?: number; skipped?: SkippedBackend[] } = {},
): BackendInfo {
  const instance = tf.engine().registry[name] ?? null;
  const info: BackendInfo = {
    name,
    selectedBy,
    flags: readFlags(name, instance),
    versions: {
      tfjsCore: tf.version_core,
      backendPackage: source?.backendPackage ?? null,
      backendVersion: source?.backendVersion ?? null,
    },
    customKernels: customKernels(name),
  };
  if (source?.libtensorflow !== undefined) info.versions.libtensorflow = source.libtensorflow;
  if (source?.libraries !== undefined) info.versions.libraries = source.libraries;
  const threads = extra.threads ?? (name === 'cpu' ? 1 : undefined);
  if (threads !== undefined) info.threads = threads;
  if (extra.skipped !== undefined) info.skipped = extra.skipped;
  return info;
}

/** The same info with flags and kernels read again (a user may have changed a flag since). */
function refreshed(info: BackendInfo): BackendInfo {
  const instance = tf.engine().registry[info.name] ?? null;
  return { ...info, flags: readFlags(info.name, instance), customKernels: customKernels(info.name) };
}

function customKernels(name: string): string[] {
  if (name === 'wasm') return activeWasmTrainingKernels();
  return name === 'native' ? nativeKernelNames() : [];
}

/** For a backend tfjs picked by itself: which package it most likely came from. */
function sourceOf(name: string): BackendSource | null {
  const packages: { [name: string]: string } = {
    cpu: '@tensorflow/tfjs-backend-cpu',
    wasm: '@tensorflow/tfjs-backend-wasm',
    webgl: '@tensorflow/tfjs-backend-webgl',
  };
  if (name === 'native') return nativeSource();
  let pkg = packages[name];
  if (name === 'tensorflow') {
    const native = tf.engine().registry[name] as { isGPUPackage?: unknown } | undefined;
    pkg = native?.isGPUPackage === true ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  }
  return pkg === undefined ? null : { backendPackage: pkg, backendVersion: packageVersion(pkg) };
}

/** What the native backend is recorded as: labbook's addon, and the libraries it runs on. */
export function nativeSource(): BackendSource | null {
  const loaded = loadNativeAddon();
  if (!loaded.ok) return null;
  const info = loaded.addon.info();
  return { backendPackage: NATIVE_PACKAGE, backendVersion: packageVersion('labbook'), libraries: { kernels: info.kernels, isaBaseline: info.isaBaseline, compiler: `g++ ${info.compiler}` } };
}

/** The version in `pkg`'s package.json as resolved from labbook, or null. */
export function packageVersion(pkg: string, paths: string[] = [__dirname]): string | null {
  try {
    const json = JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`, { paths }), 'utf8')) as { version?: unknown };
    return typeof json.version === 'string' ? json.version : null;
  } catch {
    return null;
  }
}

/** BackendInfo as the JSON an environment provider returns. */
export function infoAsJson(info: BackendInfo | null): Json {
  return info === null ? null : (JSON.parse(JSON.stringify(info)) as Json);
}
