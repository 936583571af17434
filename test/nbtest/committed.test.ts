/** `labbook nbtest --out` publishes checkpoint hashes in the notebook; `--baseline committed` checks an execution against them. */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, runNode, tempDir } from '../helpers';

const SEEDED = join(ROOT, 'test', 'fixtures', 'notebooks', 'repro', 'seeded.ipynb');
const nbtest = (args: string[]) => runNode([CLI, 'nbtest', ...args]);

type Published = { runs: { experiment: string; name: string | null; seed: number; configHash: string; checkpoint: { sha256: string; step: number }; promise: { backend: string | null; within: string[]; covers: string } }[] };
type Doc = { metadata: { labbook?: Published; [key: string]: unknown } };

let dir: string;
let published: string;

/** A copy of the published notebook with its metadata changed by `edit`, in a folder of its own. */
function variant(name: string, edit: (doc: Doc) => void): string {
  const doc = JSON.parse(readFileSync(published, 'utf8')) as Doc;
  edit(doc);
  mkdirSync(join(dir, name));
  const file = join(dir, name, 'seeded.ipynb');
  writeFileSync(file, JSON.stringify(doc, null, 1));
  return file;
}

describe('checkpoint hashes published in the notebook', () => {
  beforeAll(async () => {
    dir = tempDir('labbook-nbtest-committed-');
    // The copies live in a temp folder: their `import ... from 'labbook'` (and its types) resolve through this link.
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const executed = await nbtest([SEEDED, '--out', join(dir, 'published'), '--no-repro']);
    expect(executed.code, executed.stdout + executed.stderr).toBe(0);
    published = join(dir, 'published', 'seeded.ipynb');
  }, 120_000);

  it('--out records each checkpointed run in creation order with its hash and promise, in metadata.labbook', () => {
    const { labbook } = (JSON.parse(readFileSync(published, 'utf8')) as Doc).metadata;
    expect(labbook!.runs.map((r) => [r.experiment, r.name, r.seed, r.checkpoint.step])).toEqual([
      ['nbtest-seeded', null, 7, 1],
      ['nbtest-seeded', null, 7, 1],
      ['nbtest-seeded', null, 7, 1],
    ]);
    // lr 0.1 twice, then 0.01: the first two share config and bytes, the third differs.
    const [a, b, c] = labbook!.runs;
    expect(b.checkpoint.sha256).toBe(a.checkpoint.sha256);
    expect(c.configHash).not.toBe(a.configHash);
    expect(c.checkpoint.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(c.checkpoint.sha256).not.toBe(a.checkpoint.sha256);
    // The notebook records no tfjs backend: the promise is pure JS's, any OS and architecture.
    expect(a.promise).toMatchObject({ backend: null, within: ['backend', 'tfjs', 'node'] });
    expect(a.promise.covers).toMatch(/^the same final checkpoint SHA-256 for the same code, config, seed and data .*any OS and architecture/);
    // Nothing of the machine beyond the promise: no temp folder, checkout or host name.
    const text = JSON.stringify(labbook);
    for (const place of [dir, ROOT, '/tmp/']) expect(text).not.toContain(place);
  });

  it('--baseline committed passes an unchanged notebook (matched 3 of 3), and re-executing it in place leaves it byte-identical', async () => {
    const before = readFileSync(published, 'utf8');
    const result = await nbtest([published, '--baseline', 'committed', '--out', join(dir, 'published')]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^✓ .*seeded\.ipynb {2}[\d.]+s {2}\(matched 3 of 3 checkpoint hash\(es\) committed in the notebook\)\n/);
    expect(readFileSync(published, 'utf8')).toBe(before);
  }, 120_000);

  it('fails an altered hash naming the run and both hashes, no hashes with the fix, and another promise naming the difference', async () => {
    const real = (JSON.parse(readFileSync(published, 'utf8')) as Doc).metadata.labbook!.runs[2];
    const altered = variant('altered', (doc) => {
      doc.metadata.labbook!.runs[2].checkpoint.sha256 = 'f'.repeat(64);
    });
    const bare = variant('bare', (doc) => {
      delete doc.metadata.labbook;
    });
    const wasm = variant('wasm', (doc) => {
      for (const run of doc.metadata.labbook!.runs) run.promise.backend = 'wasm';
    });
    const result = await nbtest([altered, bare, wasm, '--baseline', 'committed', '--jobs', '2']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/notebooks: 0 passed, 3 failed\n$/);
    const report = (name: string) => result.stdout.split(/\n(?=[✓✗] )/).find((block) => block.includes(`${name}/seeded.ipynb`))!;

    expect(report('altered')).toMatch(/^✗ .*\n {2}not reproducible: 1 of 3 checkpointed run\(s\) differ from the hashes committed in the notebook \(matched 2 of 3\)\n/);
    expect(report('altered')).toContain(`run 3 (experiment nbtest-seeded, seed 7, config ${real.configHash.slice(0, 12)}): committed ${'f'.repeat(64)}, this execution ${real.checkpoint.sha256}`);

    expect(report('bare')).toContain(
      `${bare} has no committed checkpoint hashes to compare with: expected metadata.labbook.runs, written when nbtest executes a notebook with --out, received a notebook without metadata.labbook. ` +
        `Re-execute it with \`npm run notebooks\` / \`labbook nbtest ${bare} --out DIR\` and commit it.`,
    );

    // The hashes match, but they were committed under another promise: an explicit test does not quietly pass.
    expect(report('wasm')).toMatch(/it was committed under another reproducibility promise \(matched 3 of 3\)/);
    const here = `${process.platform} ${process.arch}`;
    expect(report('wasm')).toContain(
      `committed on ${here} wasm with tfjs 4.22.0, Node ${process.version}; here: ${here} no tfjs backend with tfjs 4.22.0, Node ${process.version} (backend: wasm vs none); ` +
        'bit-identity is promised only within the same backend, tfjs major.minor and Node major.minor.',
    );
  }, 180_000);

  it('a file literally named committed is given as ./committed (a registry path, checked before any kernel starts)', async () => {
    const result = await nbtest([SEEDED, '--baseline', './committed']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^labbook: Invalid value for `baseline`: expected an existing registry file, or `committed`, received "\.\/committed"/);
  });
});
