// `labbook run` with a team store named: the run is recorded locally first, then pushed; an unreachable store loses nothing.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { openTeamStore } from '../../kernel-lib/src/team/connect';
import { searchTeamRuns } from '../../kernel-lib/src/team/search';
import { CLI, ROOT, runNode, tempDb } from '../helpers';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const EXPERIMENT = join(ROOT, 'test', 'fixtures', 'sweep', 'tiny-mlp.ts');
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('run_sync');
});
afterAll(async () => {
  await database?.drop();
});

describe('labbook run --db postgres://...', () => {
  it('records the run locally and pushes it to the team store, where it reads back the same', async () => {
    const local = tempDb();
    const ran = await runNode([CLI, 'run', EXPERIMENT, '--set', 'epochs=2', '--db', database.url, '--json'], { env: { LABBOOK_LOCAL_DB: local, LABBOOK_DB: undefined } });
    expect(ran.code, ran.stderr).toBe(0);
    const summary = JSON.parse(ran.stdout);
    expect(summary.synced).toEqual({ team: expect.stringContaining('127.0.0.1'), error: null, pending: [] });
    expect(ran.stderr).toMatch(new RegExp(`^labbook: run ${summary.id} synced to postgres://labbook_test:\\*\\*\\*@`, 'm'));
    const store = await openTeamStore(database.url);
    try {
      const [pushed] = await searchTeamRuns(store, { experiment: 'sweep-tiny' });
      expect(pushed).toMatchObject({ status: 'finished', seed: summary.seed, metrics: { final_val_loss: summary.metrics.final_val_loss } });
    } finally {
      await store.close();
    }
  });

  it('keeps the run and says how to push it later when the team store cannot be reached', async () => {
    const local = tempDb();
    const closed = 'postgres://someone:hunter2@127.0.0.1:1/labbook';
    const ran = await runNode([CLI, 'run', EXPERIMENT, '--set', 'epochs=2'], { env: { LABBOOK_LOCAL_DB: local, LABBOOK_DB: closed } });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toMatch(/^labbook: run 1 is recorded locally but not synced yet \(.*\)\. Run `labbook sync` when the team store is back\.$/m);
    expect(ran.stderr + ran.stdout).not.toContain('hunter2');
    const registry = openRegistry({ db: local, create: false });
    try {
      expect(registry.getRun(1).status).toBe('finished');
    } finally {
      registry.close();
    }
  });
});
