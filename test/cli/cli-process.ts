/** The real `labbook` CLI as a child process, under a hard time limit so a hang fails a test instead of blocking it. */
import { spawn } from 'node:child_process';
import { CLI, collect, ROOT, type Finished } from '../helpers';

export function labbook(args: string[], options: { uid?: number; timeoutMs?: number } = {}): Promise<Finished> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: process.env,
    uid: options.uid,
    gid: options.uid,
    timeout: options.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
  });
  return collect(child);
}

/** A user's mistake: exit 2, one line on stderr that starts `labbook: `, never a stack trace. */
export function expectOneLineError(result: Finished): string {
  if (result.signal) throw new Error(`labbook was killed by ${result.signal} (it hung): ${result.stderr}`);
  const lines = result.stderr.split('\n').filter(Boolean);
  if (result.code !== 2 || lines.length !== 1 || !lines[0].startsWith('labbook: ') || /internal error|\n\s+at /.test(result.stderr)) {
    throw new Error(`expected exit 2 and one line on stderr, received exit ${result.code}:\n${result.stderr}${result.stdout}`);
  }
  return lines[0];
}
