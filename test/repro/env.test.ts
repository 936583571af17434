import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import { captureEnvironment, registerEnvProvider } from '../../kernel-lib/src/repro/env';
import { findProjectRoot } from '../../kernel-lib/src/repro/root';
import { sha256 } from '../../kernel-lib/src/repro/hash';
import { tempDir } from '../support/temp';

const repoRoot = resolve(__dirname, '../..');
const labbookVersion = JSON.parse(readFileSync(join(repoRoot, 'kernel-lib/package.json'), 'utf8')).version;
const scratch = tempDir('labbook-env-');
const cleanups: (() => void)[] = [];

afterEach(() => cleanups.splice(0).forEach((undo) => undo()));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function project(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"name":"demo","private":true}\n');
  return dir;
}

function git(cwd: string, ...args: string[]): string {
  const identity = ['-c', 'user.name=labbook test', '-c', 'user.email=test@labbook.invalid', '-c', 'commit.gpgsign=false'];
  return execFileSync('git', [...identity, ...args], { cwd, encoding: 'utf8' }).trim();
}

function provide(name: string, provider: Parameters<typeof registerEnvProvider>[1]): void {
  cleanups.push(registerEnvProvider(name, provider));
}

describe('captureEnvironment', () => {
  it('records versions, machine and lockfile as plain JSON in a stable key order', () => {
    const env = captureEnvironment({ projectRoot: repoRoot });
    expect(Object.keys(env)).toEqual(['labbook', 'node', 'os', 'cpu', 'hostname', 'tfjs', 'lockfileSha256', 'git', 'notebook', 'reproducibility']);
    expect(env.notebook).toBeNull(); // not a notebook kernel
    expect(env.labbook).toBe(labbookVersion);
    expect(env.node).toBe(process.version);
    expect(env.os).toEqual({ platform: process.platform, release: expect.any(String), arch: process.arch });
    expect(env.cpu).toEqual({ model: expect.any(String), count: cpus().length });
    expect(env.hostname.length).toBeGreaterThan(0);
    expect(env.tfjs).toBe('4.22.0');
    expect(env.lockfileSha256).toBe(sha256(readFileSync(join(repoRoot, 'package-lock.json'))));
    expect(JSON.parse(JSON.stringify(env))).toEqual(env);
    expect(JSON.stringify(captureEnvironment({ projectRoot: repoRoot }))).toBe(JSON.stringify(env));
  });

  it('records null for a project without lockfile or git', () => {
    const env = captureEnvironment({ projectRoot: project('plain') });
    expect(env.lockfileSha256).toBeNull();
    expect(env.git).toEqual({ commit: null, dirty: null });
  });

  it('records the commit, then the dirty flag once a tracked file changes', () => {
    const dir = project('repo');
    writeFileSync(join(dir, 'train.ts'), 'export const lr = 0.1;\n');
    git(dir, 'init', '-q');
    expect(captureEnvironment({ projectRoot: dir }).git).toEqual({ commit: null, dirty: false });

    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'first');
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(captureEnvironment({ projectRoot: dir }).git).toEqual({ commit: head, dirty: false });

    // Outputs a run writes next to the code are untracked and must not mark the tree dirty.
    writeFileSync(join(dir, 'runs.sqlite'), 'not code');
    expect(captureEnvironment({ projectRoot: dir }).git).toEqual({ commit: head, dirty: false });

    writeFileSync(join(dir, 'train.ts'), 'export const lr = 0.2;\n');
    expect(captureEnvironment({ projectRoot: dir }).git).toEqual({ commit: head, dirty: true });

    // A subfolder of the work tree reports the same repository.
    mkdirSync(join(dir, 'notebooks'));
    expect(captureEnvironment({ projectRoot: join(dir, 'notebooks') }).git).toEqual({ commit: head, dirty: true });
  });

  it('rejects options that are not a folder path', () => {
    expect(() => captureEnvironment({ projectRoot: 3 as unknown as string })).toThrow(
      'Invalid value for `options.projectRoot`: expected a folder path, received 3.',
    );
  });
});

describe('registerEnvProvider', () => {
  it('adds provider sections after the built-ins, in name order, with keys sorted (the promise, derived from them, last)', () => {
    provide('plots', () => ({ renderer: 'plotly', version: 4 }));
    provide('backend', () => ({ name: 'cpu', flags: { WEBGL_PACK: false, DEBUG: false } }));
    const env = captureEnvironment({ projectRoot: repoRoot });
    expect(Object.keys(env).slice(-3)).toEqual(['backend', 'plots', 'reproducibility']);
    expect(JSON.stringify(env.backend)).toBe('{"flags":{"DEBUG":false,"WEBGL_PACK":false},"name":"cpu"}');
    expect(env.plots).toEqual({ renderer: 'plotly', version: 4 });
  });

  it('records a failing provider as {error} instead of failing the capture', () => {
    provide('broken', () => {
      throw new Error('tslab is not running');
    });
    provide('nan', () => ({ loss: Number.NaN }));
    provide('later', () => Promise.resolve(1) as unknown as number);
    const env = captureEnvironment({ projectRoot: repoRoot });
    expect(env.broken).toEqual({ error: 'tslab is not running' });
    expect(env.nan).toEqual({ error: expect.stringContaining('Invalid value for `nan.loss`: expected a finite number') });
    expect(env.later).toEqual({ error: expect.stringContaining('must be synchronous') });
    expect(env.labbook).toBe(labbookVersion);
  });

  it('replaces a provider registered again under the same name, and unregisters', () => {
    provide('backend', () => 'wasm');
    const unregister = registerEnvProvider('backend', () => 'cpu');
    expect(captureEnvironment({ projectRoot: repoRoot }).backend).toBe('cpu');
    unregister();
    expect('backend' in captureEnvironment({ projectRoot: repoRoot })).toBe(false);
  });

  it('refuses built-in section names, odd names and non-functions', () => {
    const attempts: [string, unknown][] = [['git', () => 1], ['two words', () => 1], ['backend', 42]];
    for (const [name, provider] of attempts) {
      let error: unknown;
      try {
        registerEnvProvider(name, provider as () => number);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(LabbookError);
      expect((error as LabbookError).code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('findProjectRoot', () => {
  it('walks up to the nearest folder with a package.json', () => {
    const dir = project('nested');
    mkdirSync(join(dir, 'notebooks/deep'), { recursive: true });
    expect(findProjectRoot(join(dir, 'notebooks/deep'))).toBe(dir);
    expect(findProjectRoot(dir)).toBe(dir);
  });

  it('falls back to the start folder when no package.json is above it', () => {
    const dir = join(scratch, 'loose/inner');
    mkdirSync(dir, { recursive: true });
    expect(findProjectRoot(dir)).toBe(dir);
  });
});
