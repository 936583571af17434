// `labbook reproduce` of a run that a script recorded (registry.startRun, no experiment file): explained, and re-run from a file the user names.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { CLI, runNode, tempDir } from '../helpers';

let dir: string;
let db: string;
let id: number;
let notebookRun: number;

beforeAll(() => {
  dir = tempDir('labbook-reproduce-script-');
  writeFileSync(join(dir, 'package.json'), '{}');
  db = join(dir, 'labbook.db');
  const registry = openRegistry({ db, create: true });
  const run = registry.startRun({ experiment: 'my-script', config: { epochs: 1, samples: 4 }, seed: 5 });
  run.log({ loss: 0.5 }, 0);
  run.end();
  id = run.id;
  // A run a notebook's kernel records: the env names the notebook (as LABBOOK_NOTEBOOK / Jupyter say).
  writeFileSync(join(dir, 'explore.ipynb'), JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  const saved = process.env.LABBOOK_NOTEBOOK;
  process.env.LABBOOK_NOTEBOOK = join(dir, 'explore.ipynb');
  try {
    const cell = registry.startRun({ experiment: 'from-notebook', config: {}, seed: 1 });
    cell.end();
    notebookRun = cell.id;
  } finally {
    if (saved === undefined) delete process.env.LABBOOK_NOTEBOOK;
    else process.env.LABBOOK_NOTEBOOK = saved;
  }
  registry.close();
  writeFileSync(
    join(dir, 'train.js'),
    `const { defineExperiment } = require('labbook');
module.exports = defineExperiment({ name: 'my-script', defaults: { epochs: 2, samples: 8 }, async run({ config }) { return { loss: 1 / config.samples }; } });
`,
  );
});

const reproduce = (args: string[]) => runNode([CLI, 'reproduce', ...args, '--db', db, '--backend', 'cpu', '--quiet'], { cwd: dir });

describe('labbook reproduce of a run a script recorded', () => {
  it('says it was recorded by a script, not an experiment, and what can be done: one line, exit 2', async () => {
    const result = await reproduce([String(id)]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^labbook: No experiment named \`my-script\` in .*experiments for run ${id}: expected one of \\(none\\)\\. Run ${id} was recorded by a script, not from an experiment file: `));
    expect(lines[0]).toContain(`labbook show ${id}`);
    expect(lines[0]).toContain(`labbook reproduce ${id} --experiment-file PATH`);
  }, 60_000);

  it('names the notebook that recorded a run, and how to re-execute it', async () => {
    const result = await reproduce([String(notebookRun)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`Run ${notebookRun} was recorded by the notebook .*explore\\.ipynb, not from an experiment file: .*re-execute the notebook \\(labbook nbtest .*explore\\.ipynb\\)`));
  }, 60_000);

  it.each([
    ['as a second argument', ['train.js']],
    ['with --experiment-file', ['--experiment-file', 'train.js']],
  ])('re-runs it from a file the user names %s, with the recorded config and seed', async (_, args) => {
    const result = await reproduce([String(id), ...args, '--json']);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.original).toMatchObject({ id, seed: 5 });
    expect(report.rerun).toMatchObject({ experiment: 'my-script', status: 'finished', seed: 5, metrics: { loss: 0.25 } });
    expect(report.metricDeltas.loss).toBe(-0.25);
  }, 60_000);

  it('refuses two different files', async () => {
    const result = await reproduce([String(id), 'train.js', '--experiment-file', 'other.js']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^labbook: Two experiment files: expected one, received "train.js" and --experiment-file "other.js"/);
  }, 60_000);
});
