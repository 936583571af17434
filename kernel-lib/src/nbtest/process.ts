/** Starting the tslab kernel process as its kernelspec does, and making sure none outlives the runner. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LabbookError } from '../errors';
import { kernelHookFile } from '../repro/notebook';

/**
 * The kernelspec `labbook kernelspec` writes (its folder name and kernel.json's display_name and
 * language), which is also what nbtest runs: executed notebooks record it as metadata.kernelspec,
 * so a front end opening them on that kernelspec finds nothing to change.
 */
export const KERNELSPEC = { name: 'tslab', display_name: 'TypeScript (labbook)', language: 'typescript' } as const;

/**
 * tslab's kernelspec (written by `tslab install`) is `["tslab", "kernel", "--config-path",
 * "{connection_file}"]` with no interrupt_mode, so interrupts are SIGINT (tslab rejects the
 * awaited promise of the running cell on SIGINT; a synchronous busy loop cannot be interrupted).
 */
export function tslabBin(searchFrom: readonly string[]): string {
  for (const from of searchFrom) {
    try {
      const pkg = require.resolve('tslab/package.json', { paths: [from] });
      const bin = join(dirname(pkg), 'bin', 'tslab');
      if (existsSync(bin)) return bin;
    } catch {
      // not resolvable from here; try the next place
    }
  }
  throw new LabbookError(
    'NOT_FOUND',
    `The tslab kernel is not installed: expected the npm package tslab next to the notebook or labbook, received none under ${searchFrom.join(', ')}. Install it with \`npm install tslab\`.`,
  );
}

/**
 * Loaded into the kernel with --require: the kernel exits when the runner's end of its stdin
 * closes, which happens however the runner dies (even SIGKILL, where no exit handler runs).
 * Unref'd so that it never keeps an otherwise finished kernel alive.
 */
const watchdog = (alsoRemove: readonly string[], coverage: boolean) => `// labbook nbtest: stop this kernel when the runner that started it is gone.
const input = process.stdin;
const runner = ${process.pid};
const runnerAlive = () => {
  try {
    process.kill(runner, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
};
const orphaned = () => {
  // stdin can also end while the runner lives (a notebook's own code, a native library closing
  // fd 0): then the runner still owns its folders; look again each second until it is gone.
  if (runnerAlive()) {
    if (!watching) watching = setInterval(orphaned, 1000).unref();
    return;
  }
  // The runner cannot remove its temp folders any more: this one (the connection file's) and
  // those it named (its throwaway registries).
  for (const dir of [__dirname, ...${JSON.stringify(alsoRemove)}]) require('node:fs').rmSync(dir, { recursive: true, force: true });
  process.exit(129);
};
let watching = null;
input.on('end', orphaned);
input.on('error', orphaned);
input.resume();
if (typeof input.unref === 'function') input.unref();
${coverage ? COVERAGE_ON_SIGTERM : ''}`;

/**
 * Node writes NODE_V8_COVERAGE only when a process exits, not when a signal kills it: a kernel a
 * cell left a timer running in is stopped with SIGTERM, so with coverage on SIGTERM exits instead.
 */
const COVERAGE_ON_SIGTERM = `process.on('SIGTERM', () => process.exit(143));
`;

/** Kernels this process started that are still running, with their connection-file folders. */
const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;

/** SIGKILLs every kernel this process started that is still running (and what they started). */
export function killAllKernels(): void {
  for (const [child, dir] of live) {
    killGroup(child, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // The kernel leads its own process group, so this also stops processes a cell started.
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export interface SpawnOptions {
  /** The folder the kernel runs in (the notebook's). */
  cwd: string;
  /** Folder for the connection file and the watchdog script. */
  dir: string;
  connectionFile: string;
  env: NodeJS.ProcessEnv;
  /** Folders the kernel removes too if the runner dies first (a SIGKILL leaves it no chance to). */
  removeIfOrphaned?: readonly string[];
}

export function spawnKernel(options: SpawnOptions): ChildProcess {
  const bin = tslabBin([options.cwd, process.cwd(), __dirname]);
  const script = join(options.dir, 'watchdog.js');
  writeFileSync(script, watchdog(options.removeIfOrphaned ?? [], Boolean(options.env.NODE_V8_COVERAGE)));
  if (!exitHookInstalled) {
    // Runs on a normal exit and on an uncaught exception; a signal that kills the runner is
    // covered by the watchdog (stdin closes).
    process.on('exit', killAllKernels);
    exitHookInstalled = true;
  }
  // The same hook as `labbook kernelspec`'s, so runs record their executed cells here too.
  const hook = kernelHookFile();
  const preload = existsSync(hook) ? ['--require', hook] : [];
  const child = spawn(process.execPath, ['--require', script, ...preload, bin, 'kernel', '--config-path', options.connectionFile], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  live.set(child, options.dir);
  child.on('exit', () => live.delete(child));
  child.on('error', () => live.delete(child));
  return child;
}
