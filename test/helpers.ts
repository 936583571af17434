/** Shared test helpers: temp registries and running real child processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { LabbookError } from '../kernel-lib/src/errors';
import { tempDir } from './support/temp';

export { tempDir };

export const ROOT = join(__dirname, '..');
export const CLI = join(ROOT, 'kernel-lib', 'dist', 'cli', 'main.js');
export const CHILD = join(__dirname, 'fixtures', 'child-run.js');

/** A registry path in a fresh temp folder, removed when the test file ends. */
export function tempDb(): string {
  return join(tempDir('labbook-test-'), 'registry.db');
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runNode(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env } });
    collect(child).then(resolve, reject);
  });
}

export function collect(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Resolves with the first stdout line that starts with `prefix`. */
export function waitForLine(child: ChildProcess, prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (d) => {
      buffer += d;
      const line = buffer.split('\n').find((l) => l.startsWith(prefix));
      if (line) resolve(line);
    });
    child.on('close', () => reject(new Error(`child exited before printing "${prefix}": ${buffer}`)));
  });
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return runNode([CLI, ...args], { env });
}

/** Each case through the real CLI is a user's mistake: exit 2, nothing on stdout, one matching line on stderr. `db`, when given, is passed as --db. */
export async function expectMistakes(cases: [string[], RegExp][], db?: string, env: NodeJS.ProcessEnv = {}): Promise<Finished[]> {
  const results: Finished[] = [];
  for (const [args, message] of cases) {
    const result = await runCli(db === undefined ? args : [...args, '--db', db], env);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    results.push(result);
  }
  return results;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits up to `ms` for a process to be gone; true when it is. */
export async function processGone(pid: number, ms = 10_000): Promise<boolean> {
  for (let waited = 0; waited < ms && isAlive(pid); waited += 100) await new Promise((r) => setTimeout(r, 100));
  return !isAlive(pid);
}

/** The LabbookError `fn` throws (of `code`, when given); a test fails when it throws nothing or something else. */
export function labbookError(fn: () => unknown, code?: string): LabbookError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LabbookError);
    if (code !== undefined) expect((err as LabbookError).code).toBe(code);
    return err as LabbookError;
  }
  throw new Error('expected a LabbookError, but nothing was thrown');
}
