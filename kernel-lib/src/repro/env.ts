/** Captures the environment a run executed in as plain JSON (it records; it never loads TensorFlow.js). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus, hostname, platform, release } from 'node:os';
import { join, resolve } from 'node:path';
import { invalidArgument } from '../errors';
import type { Json } from '../registry/types';
import { canonicalJson, sha256 } from './hash';
import { notebookContext } from './notebook';
import { type ReproPromise, reproducibilityPromise } from './promise';
import { findProjectRoot } from './root';
import { isSecretName, redactUrl } from '../team/url';


export interface Environment {
  labbook: string | null;
  node: string;
  os: { platform: string; release: string; arch: string };
  cpu: { model: string | null; count: number };
  hostname: string;
  tfjs: string | null;
  /** SHA-256 of package-lock.json at the project root; null where there is none. */
  lockfileSha256: string | null;
  /** null fields where git is missing or the project is not in a work tree. */
  git: { commit: string | null; dirty: boolean | null };
  /** The notebook whose kernel ran this, with a hash of its code cells and the cells it executed; null outside a notebook. */
  notebook: { path: string | null; cellsSha256: string; executed?: { cells: number; sha256: string; notInFile: number } } | null;
  /** What the run's bit-identity promise covers, derived from the sections above and `backend` (see promise.ts). */
  reproducibility: ReproPromise;
  /** Sections added by registered providers, in name order. */
  [section: string]: Json;
}

export type EnvProvider = () => Json;

export interface CaptureOptions {
  /** Where the lockfile and git work tree are looked up; default: findProjectRoot(). */
  projectRoot?: string;
}

const BUILT_IN_KEYS = ['labbook', 'node', 'os', 'cpu', 'hostname', 'tfjs', 'lockfileSha256', 'git', 'notebook', 'reproducibility'];
const GIT_TIMEOUT_MS = 3000;
const providers = new Map<string, EnvProvider>();

/**
 * Adds a section to every later capture (e.g. `backend`, `notebook`). Registering a name again
 * replaces the provider, so a notebook cell can be re-run. Returns a function that removes it.
 */
export function registerEnvProvider(name: string, provider: EnvProvider): () => void {
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
    throw invalidArgument('name', 'an identifier such as "backend" (letters, digits, _ or -)', name);
  }
  if (BUILT_IN_KEYS.includes(name)) {
    throw invalidArgument('name', `a section name other than the built-in ${BUILT_IN_KEYS.join(', ')}`, name);
  }
  if (typeof provider !== 'function') {
    throw invalidArgument('provider', 'a function returning a JSON value', provider);
  }
  providers.set(name, provider);
  return () => {
    if (providers.get(name) === provider) providers.delete(name);
  };
}

/** Records the environment; never throws for a missing git, lockfile or tfjs, or a failing provider. */
export function captureEnvironment(options: CaptureOptions = {}): Environment {
  if (options === null || typeof options !== 'object') {
    throw invalidArgument('options', 'an object such as { projectRoot: "." }', options);
  }
  if (options.projectRoot !== undefined && typeof options.projectRoot !== 'string') {
    throw invalidArgument('options.projectRoot', 'a folder path', options.projectRoot);
  }
  const root = resolve(options.projectRoot ?? findProjectRoot());
  const cpuList = cpus();
  const base = {
    labbook: labbookVersion(),
    node: process.version,
    os: { platform: platform(), release: release(), arch: arch() },
    cpu: { model: cpuList[0]?.model.trim() ?? null, count: cpuList.length },
    hostname: hostname(),
    tfjs: tfjsVersion(root),
    lockfileSha256: lockfileHash(root),
    git: gitState(root),
    notebook: notebookContext() as Environment['notebook'],
  };
  // Sorted, and each section's keys sorted, so equal environments serialize identically
  // whatever order the providers were registered or built their objects in.
  const sections: { [name: string]: Json } = {};
  for (const name of [...providers.keys()].sort()) {
    sections[name] = runProvider(providers.get(name)!, name);
  }
  // Last: the promise depends on the backend, which a provider records.
  return { ...base, ...sections, reproducibility: reproducibilityPromise({ ...base, backend: sections.backend }) };
}

function runProvider(provider: EnvProvider, name: string): Json {
  try {
    const value: unknown = provider();
    if (value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function') {
      return { error: 'the provider returned a Promise; environment providers must be synchronous' };
    }
    return withoutSecrets(JSON.parse(canonicalJson(value, name)) as Json);
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * A provider may hand over process.env or a connection string: credentials never reach the
 * registry (nor, by sync, the team store). Keys named like PGPASSWORD or *_TOKEN are dropped, and
 * a URL's password becomes `***`.
 */
export function withoutSecrets(value: Json): Json {
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [key, item] of Object.entries(value)) if (!isSecretName(key)) out[redactUrl(key)] = withoutSecrets(item);
    return out;
  }
  return value;
}

function labbookVersion(): string | null {
  try {
    // Two folders up from src/repro (vitest, ts-node) and from dist/repro (the build) alike.
    return (require('../../package.json') as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

/** The version a notebook in `root` would load, read from package.json without loading tfjs. */
function tfjsVersion(root: string): string | null {
  try {
    const path = require.resolve('@tensorflow/tfjs/package.json', { paths: [root, __dirname] });
    const version = (JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

function lockfileHash(root: string): string | null {
  try {
    return sha256(readFileSync(join(root, 'package-lock.json')));
  } catch {
    return null;
  }
}

function gitState(root: string): { commit: string | null; dirty: boolean | null } {
  if (git(root, ['rev-parse', '--is-inside-work-tree']) !== 'true') return { commit: null, dirty: null };
  // A repository without commits has no HEAD yet but can still be dirty (staged files).
  const commit = git(root, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  // Untracked files do not count, as in MLflow: runs write outputs (the registry file, plots)
  // next to the code, and those must not mark every later run dirty.
  const status = git(root, ['status', '--porcelain', '--untracked-files=no']);
  return { commit: commit || null, dirty: status === null ? null : status.length > 0 };
}

/** Trimmed stdout, or null where git is missing, slow, or fails. */
function git(cwd: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd,
      // Read-only: no index.lock taken, so a capture never collides with the user's own git commands.
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
      encoding: 'utf8',
      timeout: GIT_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'ignore'],
      windowsHide: true,
    }).trim();
  } catch {
    return null;
  }
}
