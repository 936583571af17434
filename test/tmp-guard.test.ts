import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runNode, tempDir } from './helpers';

const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const FIXTURE = join(__dirname, 'fixtures', 'tmp-guard');

/** One `vitest run` of the fixture (the real guard, test/support/tmp-guard.ts) with its own TMPDIR. */
async function guardedRun(leak: boolean) {
  const tmp = tempDir('labbook-guarded-');
  const result = await runNode([VITEST, 'run', '--root', FIXTURE, '--config', join(FIXTURE, 'vitest.config.ts')], { cwd: FIXTURE, env: { TMPDIR: tmp, LEAK: leak ? '1' : '0', CI: '1' } });
  return { ...result, left: readdirSync(tmp) };
}

describe('the temp guard every vitest run goes through', () => {
  it('fails the run (non-zero exit) naming what a test left under os.tmpdir(), and removes it', async () => {
    const run = await guardedRun(true);
    expect(run.code, run.stdout + run.stderr).not.toBe(0);
    expect(run.stderr).toMatch(/Temp files left behind: .*received 1 left: labbook-leak-\w+\./);
    expect(run.left).toEqual([]);
  }, 120_000);

  it('passes a run that removes what it made', async () => {
    const run = await guardedRun(false);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.left).toEqual([]);
  }, 120_000);
});
