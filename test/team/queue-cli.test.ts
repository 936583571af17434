/** `labbook worker` through the real CLI: two workers (two machines, two local registries) train a team sweep's trials, sync them, and report them once each; its mistakes are one line. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperimentFile } from '../../kernel-lib/src/experiment';
import { openRegistry } from '../../kernel-lib/src/registry';
import { defineSweep, int, logUniform } from '../../kernel-lib/src/sweep';
import { createTeamSweep } from '../../kernel-lib/src/team/queue';
import { CLI, collect, expectMistakes, ROOT, tempDb } from '../helpers';
import { NO_STORE_ENV as env, useQueueDatabase } from '../fixtures/queue/setup';

const team = useQueueDatabase('queue_cli');

describe('labbook worker', () => {
  it('two workers with their own local registries train every trial once, sync the runs and record them on the trials', async () => {
    const definition = defineSweep({
      experiment: loadExperimentFile(join(ROOT, 'test', 'fixtures', 'sweep', 'tiny-mlp.ts')),
      space: { units: int(2, 12), learningRate: logUniform(1e-3, 0.1) },
      objective: { metric: 'final_val_loss', direction: 'minimize', intermediate: 'val_loss' },
      sampler: 'random',
      budget: { trials: 3 },
      seed: 5,
    });
    const id = await createTeamSweep(team.pool, { experiment: 'sweep-tiny', definition: JSON.parse(JSON.stringify(definition)), seed: 5, maxAttempts: 2 });
    const locals = [tempDb(), tempDb()];
    const workers = locals.map((local) =>
      collect(spawn(process.execPath, [CLI, 'worker', '--sweep', String(id), '--db', team.db.url, '--local', local, '--heartbeat', '2'], { cwd: ROOT, env: { ...process.env, ...env } })),
    );
    for (const w of await Promise.all(workers)) {
      expect(w.code, w.stderr).toBe(0);
      expect(w.stderr).toMatch(/^worker: sweep done: \d+ completed, 0 refused, 0 released$/m);
    }
    const { rows } = await team.pool.query('SELECT t.number, t.state, t.value, e.name AS experiment FROM trials t JOIN runs r ON r.id = t.run_id JOIN experiments e ON e.id = r.experiment_id WHERE t.sweep_id = $1 ORDER BY t.number', [id]);
    expect(rows.map((r) => [r.number, r.state, r.experiment])).toEqual([0, 1, 2].map((n) => [n, 'complete', 'sweep-tiny']));
    expect(rows.every((r) => typeof r.value === 'number')).toBe(true);
    // Every trial was trained in exactly one of the two local registries.
    const trained = locals.flatMap((local) => {
      const registry = openRegistry({ db: local, create: false });
      try {
        return (registry.db.prepare(`SELECT value FROM tags WHERE key = 'sweep.trial'`).pluck().all() as string[]).map(Number);
      } finally {
        registry.close();
      }
    });
    expect(trained.sort()).toEqual([0, 1, 2]);
  });

  it('mistakes are one line and exit 2: no --sweep, no team store, an unknown sweep', async () => {
    await expectMistakes([
      [['worker', '--db', team.db.url], /^labbook: Missing --sweep: expected the id of a team sweep, received none\. Usage: labbook worker/],
      [['worker', '--sweep', '1', '--db', 'local.db'], /^labbook: No team store: expected --db postgres:\/\/\.\.\. or LABBOOK_DB=postgres:\/\/\.\.\., received "local\.db"\./],
      [['worker', '--sweep', '424242', '--db', team.db.url], /^labbook: No such sweep: expected the id of a sweep in the team store, received 424242\./],
    ], undefined, env);
  });
});
