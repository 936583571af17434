/** The web UI on the PostgreSQL team store answers as it does on the SQLite registry it mirrors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { openTeamStore, type TeamStore } from '../../kernel-lib/src/team/connect';
import { putObject } from '../../kernel-lib/src/team/objects';
import { startUi } from '../../kernel-lib/src/ui';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { mirrorRegistry } from '../support/team-mirror';
import { buildApiRegistry, type ApiRegistry } from './registry';

let reg: ApiRegistry;
let database: TestDatabase;
let store: TeamStore;
let local: Awaited<ReturnType<typeof startUi>>;
let team: Awaited<ReturnType<typeof startUi>>;

beforeAll(async () => {
  reg = await buildApiRegistry();
  database = await createTestDatabase('ui');
  store = await openTeamStore(database.url);
  const registry = openRegistry({ db: reg.path });
  await mirrorRegistry(registry.db, store);
  // The mirror copies rows; sync would also push the objects they name.
  await putObject(store, registry.getArtifact(reg.evil, 'fig').bytes);
  registry.close();
  [local, team] = await Promise.all([startUi({ db: reg.path, port: 0, log: () => {} }), startUi({ db: database.url, port: 0, pollMs: 100, log: () => {} })]);
}, 120_000);

afterAll(async () => {
  await Promise.all([local?.close(), team?.close()]);
  await store?.close();
  await database?.drop();
});

async function both(path: string): Promise<[{ status: number; body: any }, { status: number; body: any }]> {
  const ask = async (base: string) => {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, body: await response.json() };
  };
  return Promise.all([ask(local.url), ask(team.url)]);
}

describe('the same answers from both stores', () => {
  const SAME = [
    '/api/runs',
    `/api/runs?where=${encodeURIComponent("config.optimizer = 'adam' AND metrics.loss.min < 1")}&sort=-metrics.acc`,
    '/api/runs?sort=config.lr&limit=3&offset=2',
    `/api/runs?where=${encodeURIComponent('confg.lr > 1')}`,
    '/api/runs?sort=-metrics.nope',
    '/api/runs/9999',
    '/api/sweeps',
  ];
  it.each(SAME)('GET %s', async (path) => {
    const [sqlite, postgres] = await both(path);
    expect(postgres.status).toBe(sqlite.status);
    expect(postgres.body).toEqual(sqlite.body);
  });

  it('a run (but the reproduce command: a team run is re-run where it was recorded)', async () => {
    for (const id of [reg.plain[0], reg.failed, reg.evil, reg.model]) {
      const [sqlite, postgres] = await both(`/api/runs/${id}`);
      expect(postgres.body.reproduce).toBe(`npx labbook reproduce ${id}   # on ${sqlite.body.host}, in the registry that recorded it (team run ${id})`);
      expect({ ...postgres.body, reproduce: '' }).toEqual({ ...sqlite.body, reproduce: '' });
    }
  });

  it('metrics, a comparison and a sweep', async () => {
    for (const path of [`/api/runs/${reg.long}/metrics?points=50`, `/api/compare?ids=${reg.plain.join(',')},${reg.evil},${reg.long}&points=8`, `/api/sweeps/${reg.sweep}`]) {
      const [sqlite, postgres] = await both(path);
      expect(postgres.status, path).toBe(200);
      expect(postgres.body, path).toEqual(sqlite.body);
    }
  });

  it('an artifact, verified against its hash', async () => {
    const [sqlite, postgres] = await Promise.all([local, team].map(async (ui) => Buffer.from(await (await fetch(`${ui.url}/api/runs/${reg.evil}/artifacts/fig`)).arrayBuffer())));
    expect(postgres.equals(sqlite)).toBe(true);
  });
});

describe('what only the team store does', () => {
  it('says where it reads from, without the password, and that it has no model registry', async () => {
    const index = (await (await fetch(`${team.url}/api`)).json()) as { store: string; location: string; models: boolean };
    expect(index).toMatchObject({ store: 'postgres', models: false });
    expect(index.location).not.toContain('labbook_test:labbook_test');
    const models = await fetch(`${team.url}/api/models`);
    expect(models.status).toBe(404);
    expect(((await models.json()) as { error: { message: string } }).error.message).toMatch(/has no model registry: expected a local SQLite registry/);
  });

  it('sends a `runs` event when a run changes in the store', async () => {
    const controller = new AbortController();
    const response = await fetch(`${team.url}/api/events`, { signal: controller.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // Let the first polls record the current version, then beat a run's heart as a running run does.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await store.query('UPDATE runs SET heartbeat_at = $2 WHERE id = $1', [reg.plain[0], Date.now()]);
    const deadline = Date.now() + 5000;
    while (!text.includes('event: runs') && Date.now() < deadline) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value);
    }
    expect(text).toContain('event: runs');
    controller.abort();
  });
});
