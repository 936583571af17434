/**
 * vitest globalSetup: the run gets a temp folder of its own (TMPDIR, inherited by the test
 * workers and every process they start), and fails if anything is left in it at the end. Tests
 * and the library must remove what they create; this is where a leak shows up, by name.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** How long a kernel killed at the end of the run gets to remove its own folder (its watchdog does). */
const SETTLE_MS = 5000;

export default function setup(): () => Promise<void> {
  const prefix = `labbook-vitest-${process.pid}-`;
  // Every project of the run names this guard; the first to set up guards the run, for all of them.
  if (basename(tmpdir()).startsWith(prefix)) return async () => {};
  const previous = process.env.TMPDIR;
  removeFoldersOfDeadRuns();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.env.TMPDIR = dir;
  return async () => {
    let left = readdirSync(dir);
    for (let waited = 0; left.length > 0 && waited < SETTLE_MS; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = readdirSync(dir);
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (left.length > 0) {
      const message = `Temp files left behind: expected the tests and labbook to remove what they create under os.tmpdir(), received ${left.length} left: ${left.sort().join(', ')}. Remove them in afterAll (tempDir() from test/support/temp.ts does) or in the library's finally.`;
      process.stderr.write(`\n${message}\n`);
      // Not a throw: vitest would then skip removing its own temp folder, itself a leak.
      process.exitCode = 1;
    }
  };
}

/** A run that was killed (a timeout's SIGKILL) never reached its teardown: its folder goes now. */
function removeFoldersOfDeadRuns(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(/^labbook-vitest-(\d+)-/.exec(name)?.[1]);
    if (pid > 0 && !alive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
