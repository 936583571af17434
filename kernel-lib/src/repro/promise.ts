/** A run's bit-identity promise: what the same checkpoint SHA-256 is promised across (and what not), recorded as env.reproducibility. */
import type { Json } from '../registry/types';
import { loadNativeAddon } from '../backend/native/addon';

/**
 * The fields a promise names. `within` lists those that must be equal on two machines for the
 * promise to hold; the others are recorded for the reader. Strings only (no times, paths or
 * hostnames), so a notebook publishing it stays byte-identical when re-executed on its machine.
 */
export type ReproPromise = {
  covers: string;
  excludes: string;
  within: string[];
  platform: string;
  arch: string;
  backend: string | null;
  /** The CPU baseline the native addon was compiled for (info().isaBaseline); null for other backends and for an addon that does not say. */
  isaBaseline: string | null;
  tfjs: string | null;
  node: string;
  labbook: string | null;
  /** The native addon's kernels version (info().kernels), where it says. */
  kernels: string | null;
  /** The CPU model, only where the promise is one machine kind's (libtensorflow picks its kernels by CPU); else null. */
  cpu: string | null;
};

/** The environment fields a promise is derived from (a subset of captureEnvironment's). */
type EnvParts = { labbook: string | null; node: string; os: { platform: string; arch: string }; cpu: { model: string | null }; tfjs: string | null; backend?: Json };

const LABELS: { [field: string]: string } = { platform: 'OS', arch: 'architecture', backend: 'backend', isaBaseline: 'ISA baseline', tfjs: 'tfjs major.minor', node: 'Node major.minor', kernels: 'native kernels', cpu: 'CPU model' };

/** Versions are promised by major.minor: a patch release does not change kernels. */
const BY_MINOR = new Set(['tfjs', 'node']);

export function reproducibilityPromise(env: EnvParts): ReproPromise {
  const backend = backendName(env.backend);
  const native = backend === 'native' ? nativeInfo() : { isaBaseline: null, kernels: null };
  const base = { platform: env.os.platform, arch: env.os.arch, backend, isaBaseline: native.isaBaseline, tfjs: env.tfjs, node: env.node, labbook: env.labbook, kernels: native.kernels, cpu: null };
  const versions = `tfjs ${minor(env.tfjs) ?? '(none)'}.x and Node ${minor(env.node)}.x`;
  const same = 'the same final checkpoint SHA-256 for the same code, config, seed and data';
  if (backend === 'cpu' || backend === 'wasm' || backend === null) {
    // Pure JS (IEEE-754 doubles and fround) and wasm's fixed 128-bit SIMD compute alike on every CPU.
    const on = backend === null ? 'without a tfjs backend' : `on the ${backend} backend`;
    return { ...base, covers: `${same} ${on}, on any OS and architecture, with ${versions}`, excludes: 'another backend; another tfjs or Node major.minor', within: ['backend', 'tfjs', 'node'] };
  }
  if (backend === 'native') {
    if (native.isaBaseline === null) {
      // An addon that names no baseline (built before labbook-kernels 2, e.g. loaded through
      // LABBOOK_NATIVE_ADDON) was compiled for its build machine's CPU on OpenBLAS, which picks kernels by CPU.
      return {
        ...base,
        cpu: env.cpu.model,
        covers: `${same} on ${base.platform} ${base.arch} with the native backend on this CPU model only (the addon records no ISA baseline), with ${versions}`,
        excludes: 'another CPU model; another OS or architecture; another backend; another tfjs or Node major.minor; other native kernels',
        within: ['platform', 'arch', 'backend', 'isaBaseline', 'cpu', 'kernels', 'tfjs', 'node'],
      };
    }
    return {
      ...base,
      covers: `${same} on ${base.platform} ${base.arch} with the native backend on any ${native.isaBaseline} CPU, any thread count, with ${versions}`,
      excludes: `another OS or architecture; another backend; another tfjs or Node major.minor; other native kernels; a CPU below ${native.isaBaseline}`,
      within: ['platform', 'arch', 'backend', 'isaBaseline', 'kernels', 'tfjs', 'node'],
    };
  }
  return {
    ...base,
    cpu: env.cpu.model,
    covers: `${same} on ${base.platform} ${base.arch} with the ${backend} backend on this CPU model only, with ${versions}`,
    excludes: 'another CPU model (its library picks kernels by CPU); another OS or architecture; another backend; another tfjs or Node major.minor',
    within: ['platform', 'arch', 'backend', 'cpu', 'tfjs', 'node'],
  };
}

/**
 * The covered fields in which two promises differ (those either one names in `within`), as
 * "backend: native vs wasm"; empty when `b` is inside `a`'s promise.
 */
export function promiseDifferences(a: ReproPromise, b: ReproPromise): string[] {
  const fields = Object.keys(LABELS).filter((f) => a.within.includes(f) || b.within.includes(f));
  const value = (p: ReproPromise, f: string) => {
    const v = (p as { [key: string]: unknown })[f];
    return typeof v === 'string' && BY_MINOR.has(f) ? minor(v) : (v ?? null);
  };
  return fields.filter((f) => value(a, f) !== value(b, f)).map((f) => `${LABELS[f]}: ${show(value(a, f))} vs ${show(value(b, f))}`);
}

/** "linux x64 native x86-64-v3 with tfjs 4.22.0, Node v20.20.2": where a promise was made, in one line. */
export function describePromise(p: ReproPromise): string {
  const backend = p.backend === null ? 'no tfjs backend' : [p.backend, p.isaBaseline, p.kernels ? `kernels ${p.kernels}` : null].filter(Boolean).join(' ');
  return `${p.platform} ${p.arch} ${backend} with tfjs ${p.tfjs ?? '(none)'}, Node ${p.node}${p.cpu ? ` on ${p.cpu}` : ''}`;
}

/** "bit-identity is promised only within the same backend, tfjs major.minor and Node major.minor". */
export function promiseScope(p: ReproPromise): string {
  const names = p.within.map((f) => LABELS[f] ?? f);
  return `bit-identity is promised only within the same ${names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0]}`;
}

/** env.reproducibility of a recorded run, or null for a run recorded before promises were (or a damaged section). */
export function recordedPromise(value: unknown): ReproPromise | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const p = value as { [key: string]: unknown };
  const ok = typeof p.covers === 'string' && Array.isArray(p.within) && p.within.every((f) => typeof f === 'string') && typeof p.platform === 'string' && typeof p.arch === 'string' && typeof p.node === 'string';
  return ok ? (value as ReproPromise) : null;
}

function backendName(section: Json | undefined): string | null {
  if (section === null || section === undefined || typeof section !== 'object' || Array.isArray(section)) return null;
  return typeof section.name === 'string' ? section.name : null;
}

/**
 * The addon is already loaded when the native backend runs (the load is cached), so this loads
 * nothing new. An addon built before labbook-kernels 2 reports no baseline: null then.
 */
function nativeInfo(): { isaBaseline: string | null; kernels: string | null } {
  try {
    const loaded = loadNativeAddon();
    if (!loaded.ok) return { isaBaseline: null, kernels: null };
    const info = loaded.addon.info() as { isaBaseline?: unknown; kernels?: unknown };
    return { isaBaseline: typeof info.isaBaseline === 'string' ? info.isaBaseline : null, kernels: typeof info.kernels === 'string' ? info.kernels : null };
  } catch {
    return { isaBaseline: null, kernels: null };
  }
}

function minor(version: string | null): string | null {
  if (version === null) return null;
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? `${m[1]}.${m[2]}` : version;
}

function show(value: unknown): string {
  return value === null ? 'none' : String(value);
}
