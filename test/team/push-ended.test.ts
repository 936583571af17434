// runExperiment and runSweep with a team store named (LABBOOK_DB or `team`): a notebook's runs land in PostgreSQL as `labbook run`'s do.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineExperiment, loadExperimentFile, runExperiment } from '../../kernel-lib/src/experiment';
import { openRegistry, type Registry } from '../../kernel-lib/src/registry';
import { defineSweep, int, runSweep } from '../../kernel-lib/src/sweep';
import { openTeamStore, type TeamStore } from '../../kernel-lib/src/team/connect';
import { getTeamRun } from '../../kernel-lib/src/team/read';
import { ROOT, tempDb } from '../helpers';
import { createTeamStore } from '../support/team';
import type { TestDatabase } from '../support/postgres';

const tiny = () => loadExperimentFile(join(ROOT, 'test', 'fixtures', 'sweep', 'tiny-mlp.ts'));
const CLOSED = 'postgres://someone:hunter2@127.0.0.1:1/labbook';
let database: TestDatabase;
let store: TeamStore;
let registry: Registry;
const savedDb = process.env.LABBOOK_DB;

beforeAll(async () => {
  database = await createTeamStore('push_ended');
  store = await openTeamStore(database.url);
});
afterAll(async () => {
  await store?.close();
  await database?.drop();
});
afterEach(() => {
  registry?.close();
  if (savedDb === undefined) delete process.env.LABBOOK_DB;
  else process.env.LABBOOK_DB = savedDb;
});

/** The team store's copy of this registry's run `id`, read with the team's own reader. */
async function teamCopy(id: number) {
  const [{ value: origin }] = registry.sql<{ value: string }>("SELECT value FROM registry_meta WHERE key = 'origin'");
  const rows = await store.query<{ id: string }>('SELECT id FROM runs WHERE origin = $1 AND origin_run_id = $2', [origin, id]);
  return rows.length ? getTeamRun(store, Number(rows[0].id)) : null;
}

describe('runExperiment with a team store', () => {
  it('pushes the run when it ends, to the store LABBOOK_DB names, and it reads back as recorded', async () => {
    registry = openRegistry({ db: tempDb() });
    process.env.LABBOOK_DB = database.url;
    const summary = await runExperiment(tiny(), { registry, set: { epochs: 2 } });
    expect(summary.synced).toEqual({ team: expect.stringMatching(/^postgres:\/\/labbook_test:\*\*\*@/), error: null, pending: [] });
    const local = registry.getRun(summary.id);
    const team = await teamCopy(summary.id);
    expect({ ...team, id: local.id }).toEqual(local);
  });

  it('pushes a failed run too, before the error reaches the caller', async () => {
    registry = openRegistry({ db: tempDb() });
    const boom = defineExperiment({
      name: 'push-boom',
      description: 'logs three steps, then throws',
      defaults: { epochs: 3, samples: 0 },
      async run({ run, config }) {
        for (let step = 0; step < config.epochs; step++) run.log({ loss: 1 / (step + 1) }, step);
        throw new RangeError('loss exploded');
      },
    });
    await expect(runExperiment(boom, { registry, team: database.url })).rejects.toThrow('loss exploded');
    const [{ id }] = registry.sql<{ id: number }>("SELECT r.id FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE e.name = 'push-boom'");
    const team = await teamCopy(id);
    expect(team).toMatchObject({ status: 'failed', error: expect.stringContaining('loss exploded'), metrics: { loss: { step: 2, count: 3 } } });
  });

  it('keeps the run and reports the outage when the store cannot be reached; team: false records locally only', async () => {
    registry = openRegistry({ db: tempDb() });
    const out = await runExperiment(tiny(), { registry, set: { epochs: 1 }, team: CLOSED });
    expect(out.status).toBe('finished');
    expect(out.synced?.error).toMatch(/127\.0\.0\.1:1/);
    expect(out.synced?.pending).toEqual([out.id]);
    expect(JSON.stringify(out)).not.toContain('hunter2');
    process.env.LABBOOK_DB = CLOSED;
    const local = await runExperiment(tiny(), { registry, set: { epochs: 1 }, team: false });
    expect(local.synced).toBeUndefined();
  });

  it('refuses a team option that is not a PostgreSQL URL, before recording anything', async () => {
    registry = openRegistry({ db: tempDb() });
    await expect(runExperiment(tiny(), { registry, team: 'team.db' })).rejects.toThrow(
      'Invalid value for `team`: expected a postgres:// URL of the team store, or false to record locally only, received "team.db".',
    );
    expect(registry.sql('SELECT id FROM runs')).toEqual([]);
  });
});

describe('runSweep with a team store', () => {
  it('pushes the parent and every trial when the sweep ends, the parent finished with its best value', async () => {
    registry = openRegistry({ db: tempDb() });
    const definition = defineSweep({
      experiment: tiny(),
      space: { units: int(2, 6) },
      objective: { metric: 'final_val_loss', direction: 'minimize', intermediate: 'val_loss' },
      sampler: { name: 'random' },
      budget: { trials: 2 },
      seed: 3,
      set: { epochs: 1 },
    });
    const summary = await runSweep(definition, { registry, team: database.url });
    expect(summary.trials.map((t) => [t.state, t.reason])).toEqual([['complete', null], ['complete', null]]);
    expect(summary.synced).toMatchObject({ error: null, pending: [] });
    const parent = await teamCopy(summary.id);
    expect(parent).toMatchObject({ status: 'finished', tags: { 'sweep.stopped': 'budget: 2 trials' }, metrics: { best_value: { value: summary.best!.value } } });
    for (const trial of summary.trials) {
      const team = await teamCopy(trial.runId);
      expect(team).toMatchObject({ status: 'finished', parent: parent!.id, tags: { 'sweep.state': 'complete' } });
    }
  });
});
