import { execFileSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, collect, processGone, ROOT, tempDir } from '../helpers';

const NB = relative(ROOT, join(__dirname, '..', 'fixtures', 'notebooks'));

/** Starts `labbook nbtest` on a notebook whose second cell waits a minute, with its own TMPDIR; resolves once its kernel runs. */
async function runnerWithKernel(): Promise<{ tmp: string; runner: ReturnType<typeof spawn>; finished: ReturnType<typeof collect>; kernel: number }> {
  const tmp = tempDir('labbook-nbtest-tmp-');
  const runner = spawn(process.execPath, [CLI, 'nbtest', `${NB}/timeout.ipynb`], { cwd: ROOT, env: { ...process.env, TMPDIR: tmp } });
  const finished = collect(runner);
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const processes = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n').map((l) => l.trim().split(/\s+/));
    const found = processes.find(([, ppid, ...args]) => Number(ppid) === runner.pid && args.join(' ').includes('tslab kernel'));
    if (found) return { tmp, runner, finished, kernel: Number(found[0]) };
  }
  throw new Error(`no kernel started: ${(await (runner.kill('SIGKILL'), finished)).stderr}`);
}

/** Entries of `dir`, once it is empty or after 10 s (a dying kernel removes its folders as it goes). */
async function leftIn(dir: string): Promise<string[]> {
  let left = readdirSync(dir);
  for (let i = 0; i < 100 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = readdirSync(dir);
  }
  return left;
}

describe('labbook nbtest leaves nothing under the temp folder', () => {
  it('when stopped by SIGTERM mid-notebook: its throwaway registry and the kernel folder are gone', async () => {
    const { tmp, runner, finished, kernel } = await runnerWithKernel();
    expect(readdirSync(tmp).some((name) => name.startsWith('labbook-nbtest-'))).toBe(true);
    runner.kill('SIGTERM');
    expect((await finished).code).toBe(143);
    expect(await processGone(kernel, 60_000)).toBe(true);
    expect(await leftIn(tmp)).toEqual([]);
  }, 120_000);

  it('when SIGKILLed mid-notebook: the orphaned kernel removes them as it stops', async () => {
    const { tmp, runner, finished, kernel } = await runnerWithKernel();
    runner.kill('SIGKILL');
    await finished;
    expect(await processGone(kernel, 60_000)).toBe(true);
    expect(await leftIn(tmp)).toEqual([]);
  }, 120_000);
});
