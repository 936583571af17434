// notebooks({ baseline: 'committed' }): the gate test compares with the hashes the notebook publishes instead of a second execution.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, runNode, tempDir } from '../helpers';
import { runVitest } from './run';

const SEEDED = join(ROOT, 'test', 'fixtures', 'notebooks', 'repro', 'seeded.ipynb');
const GATE = 'reproduces: checkpointed runs end on the same SHA-256 as committed in the notebook';

let published: string;
let altered: string;

describe('notebooks({ baseline: \'committed\' })', () => {
  beforeAll(async () => {
    const dir = tempDir('labbook-vitest-committed-');
    // The copies' `import ... from 'labbook'` (and its types) resolve through this link.
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const executed = await runNode([CLI, 'nbtest', SEEDED, '--out', join(dir, 'published'), '--no-repro']);
    expect(executed.code, executed.stdout + executed.stderr).toBe(0);
    published = join(dir, 'published', 'seeded.ipynb');
    const doc = JSON.parse(readFileSync(published, 'utf8'));
    doc.metadata.labbook.runs[0].checkpoint.sha256 = '0'.repeat(64);
    mkdirSync(join(dir, 'altered'));
    altered = join(dir, 'altered', 'seeded.ipynb');
    writeFileSync(altered, JSON.stringify(doc, null, 1));
  }, 120_000);

  it('passes the published notebook without executing it twice, and fails the one whose committed hash was altered', async () => {
    const run = await runVitest([published, altered], { baseline: 'committed' });
    expect(run.code).toBe(1);
    expect(run.test(GATE, 'published/seeded.ipynb').status).toBe('passed');
    const failed = run.test(GATE, 'altered/seeded.ipynb');
    expect(failed.status).toBe('failed');
    expect(failed.failureMessages[0]).toMatch(/is not reproducible: not reproducible: 1 of 3 checkpointed run\(s\) differ from the hashes committed in the notebook \(matched 2 of 3\)/);
    expect(failed.failureMessages[0]).toMatch(new RegExp(`run 1 \\(experiment nbtest-seeded, seed 7, config [0-9a-f]{12}\\): committed ${'0'.repeat(64)}, this execution [0-9a-f]{64}`));
  }, 300_000);
});
