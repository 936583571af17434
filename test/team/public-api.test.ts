// The team store from the package's public surface, as a notebook uses it: record locally, sync, query asynchronously.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runNode, tempDb } from '../helpers';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const DIST = JSON.stringify(join(ROOT, 'kernel-lib', 'dist'));
let store: TestDatabase;

beforeAll(async () => {
  store = await createTestDatabase('public_api');
});
afterAll(async () => {
  await store?.drop();
});

describe('labbook.team', () => {
  it('loads no PostgreSQL client until a store is opened', async () => {
    const probe = `const lb = require(${DIST}); console.log(typeof lb.team.openTeamStore, Object.keys(require.cache).some((k) => /node_modules[\\\\/]pg[\\\\/]/.test(k)))`;
    const result = await runNode(['-e', probe]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('function false');
  });

  it('syncs two local runs and finds them with the same filter, summaries and diff as the local registry', async () => {
    const db = tempDb();
    const script = `
      const lb = require(${DIST});
      (async () => {
        const local = lb.openRegistry({ db: ${JSON.stringify(db)} });
        for (const lr of [0.1, 0.01]) {
          const run = local.startRun({ experiment: 'api', config: { lr }, seed: 1 });
          run.log({ acc: lr * 5 }, 0);
          run.end();
        }
        const where = { where: 'config.lr < 0.05', sort: '-metrics.acc' };
        const mine = lb.searchRuns(local, where).map((r) => [r.config.lr, r.metrics.acc]);
        local.close();
        const pushed = await lb.team.syncToTeam(${JSON.stringify(db)}, process.env.URL);
        const team = await lb.team.openTeamStore(process.env.URL);
        try {
          const found = await lb.team.searchTeamRuns(team, where);
          const all = await lb.team.searchTeamRuns(team, { sort: 'id' });
          const diff = await lb.team.diffTeamRuns(team, all.map((r) => r.id));
          console.log(JSON.stringify({ runs: pushed.runs, mine, theirs: found.map((r) => [r.config.lr, r.metrics.acc]), differs: Object.keys(diff.config) }));
        } finally {
          await team.close();
        }
      })().catch((e) => { console.error(e.message); process.exitCode = 1; });`;
    const result = await runNode(['-e', script], { env: { URL: store.url } });
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    expect(out.runs).toBe(2);
    expect(out.theirs).toEqual(out.mine);
    expect(out.mine).toEqual([[0.01, 0.05]]);
    expect(out.differs).toEqual(['lr']);
  });
});
