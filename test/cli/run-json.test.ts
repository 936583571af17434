// `labbook run --json` in a real process: stdout is the JSON document alone, whatever the experiment prints.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDb, tempDir } from '../helpers';

describe('labbook run --json', () => {
  it("keeps the experiment's console.log, show() output and figure notice off stdout (they go to stderr)", async () => {
    const db = tempDb();
    const figure = join(tempDir('labbook-run-json-'), 'loss.html');
    for (const quiet of [[], ['--quiet']]) {
      const result = await runCli(['run', join('test', 'fixtures', 'experiments', 'chatty.ts'), '--json', ...quiet, '--set', `figureFile=${figure}`, '--db', db]);
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout);
      expect(summary).toMatchObject({ experiment: 'chatty', status: 'finished' });
      expect(result.stdout).toMatch(/^\{[\s\S]*\}\n$/);
      expect(result.stderr).toContain('hello from the experiment');
      expect(result.stderr).toContain('a raw write');
      expect(result.stderr).toContain(`figure written to ${figure}`);
      expect(existsSync(figure)).toBe(true);
    }
  }, 120_000);

  it('without --json the experiment still prints to stdout, the figure notice to stderr', async () => {
    const db = tempDb();
    const figure = join(tempDir('labbook-run-json-'), 'loss.html');
    const result = await runCli(['run', join('test', 'fixtures', 'experiments', 'chatty.ts'), '--quiet', '--set', `figureFile=${figure}`, '--db', db]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('hello from the experiment');
    expect(result.stdout).not.toContain('figure written to');
    expect(result.stderr).toContain(`figure written to ${figure}`);
  }, 120_000);
});
