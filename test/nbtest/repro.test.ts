import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers';

const NB = relative(ROOT, join(__dirname, '..', 'fixtures', 'notebooks', 'repro'));

interface ReproJson {
  status: string;
  against: string | null;
  reason: string | null;
  pairs: { experiment: string; seed: number; runs: number[]; checkpoints: (string | null)[]; equal: boolean; diff: { metrics: object } | null }[];
  unmatched: unknown[];
  ungated: number;
  report: string | null;
}

async function nbtest(args: string[]) {
  const result = await runCli(['nbtest', ...args, '--json']);
  expect(result.stderr).toBe('');
  return { code: result.code, report: JSON.parse(result.stdout) as { notebooks: { path: string; status: string; error: string | null; repro: ReproJson; registry: string | null }[]; passed: number; failed: number } };
}

describe('labbook nbtest: the reproducibility gate', () => {
  it('passes a notebook whose seeded runs checkpoint deterministic bytes, and fails one whose bytes depend on the clock', async () => {
    const { code, report } = await nbtest([NB, '--jobs', '2']);
    expect(code).toBe(1);
    const [clock, seeded] = report.notebooks;
    expect(seeded.path).toBe(`${NB}/seeded.ipynb`);
    expect(seeded.status, seeded.error ?? '').toBe('passed');
    // Three runs share one identity except for lr; the ones with equal identity pair in recording order.
    expect(seeded.repro).toMatchObject({ status: 'passed', against: 'rerun', ungated: 1, unmatched: [] });
    expect(seeded.repro.pairs.map((p) => [p.runs, p.equal])).toEqual([[[1, 1], true], [[2, 2], true], [[3, 3], true]]);

    expect(clock.path).toBe(`${NB}/clock.ipynb`);
    expect(clock.status).toBe('failed');
    expect(clock.error).toMatch(/^not reproducible: 1 of 1 checkpointed run\(s\) end on a different checkpoint \(execution 1 vs execution 2\)$/);
    expect(clock.repro.pairs).toHaveLength(1);
    expect(clock.repro.pairs[0]).toMatchObject({ experiment: 'nbtest-clock', seed: 7, equal: false });
    expect(clock.repro.report).toMatch(/final checkpoints differ\n.*metrics\.loss: .*\n.*final checkpoint: [0-9a-f]{64} {2}vs {2}[0-9a-f]{64}/);

  }, 180_000);

  it('compares one execution with a baseline registry (--baseline), narrowed to the notebook\'s runs', async () => {
    const dir = tempDir('labbook-nbtest-baseline-');
    const baseline = join(dir, 'baseline.db');
    const recorded = await runCli(['nbtest', `${NB}/seeded.ipynb`, '--db', baseline, '--no-repro']);
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toMatch(/^✓ .*seeded\.ipynb {2}[\d.]+s {2}\(reproducibility not checked: turned off \(--no-repro\)\)\nnotebooks: 1 passed, 0 failed\n$/);

    const { code, report } = await nbtest([`${NB}/seeded.ipynb`, '--baseline', baseline]);
    expect(code).toBe(0);
    expect(report.notebooks[0].repro).toMatchObject({ status: 'passed', against: 'baseline' });
    expect(report.notebooks[0].repro.pairs).toHaveLength(3);

    // The baseline holds seeded.ipynb's runs only: clock.ipynb's run has no counterpart there.
    const human = await runCli(['nbtest', `${NB}/clock.ipynb`, '--baseline', baseline]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(
      /^✗ .*clock\.ipynb {2}[\d.]+s\n {2}not reproducible: 1 checkpointed run\(s\) have no counterpart \(this execution vs the baseline\)\n {4}run 1 \(this execution\), experiment nbtest-clock, seed 7: no run with the same identity/,
    );

    const missing = await runCli(['nbtest', `${NB}/seeded.ipynb`, '--baseline', join(dir, 'nope.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^labbook: Invalid value for `baseline`: expected an existing registry file/);
  }, 180_000);
});
