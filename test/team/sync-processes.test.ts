import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { collect, runCli, runNode, tempDb } from '../helpers';
import type { TestDatabase } from '../support/postgres';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { createTeamStore, query } from '../support/team';
import { teamRun } from '../support/team-read';

// Real processes, each recording and syncing tens of thousands of points on a shared 2-core machine.
vi.setConfig({ testTimeout: 180_000 });

const MACHINE = join(__dirname, '..', 'support', 'sync-machine.js');
let store: TestDatabase;
let proxy: TcpProxy;

beforeAll(async () => {
  store = await createTeamStore('sync_proc');
  const u = new URL(store.url);
  proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
});
afterAll(async () => {
  await proxy.close();
  await store.drop();
});

/** Records a sweep (a parent, two trials of `points` steps of loss and acc) in a registry of its own, in a child process. */
async function machine(points: number): Promise<string> {
  const db = tempDb();
  const done = await runNode([MACHINE, 'record', db, store.url, String(points)]);
  expect(done.stderr).toBe('');
  return db;
}

function localOf(db: string): { origin: string; ids: number[]; total: number } {
  const r = openRegistry({ db });
  try {
    const origin = r.sql<{ value: string }>(`SELECT value FROM registry_meta WHERE key = 'origin'`)[0].value;
    const ids = r.sql<{ id: number }>('SELECT id FROM runs ORDER BY id').map((x) => x.id);
    const total = r.sql<{ n: number }>('SELECT count(*) AS n FROM metrics')[0].n;
    return { origin, ids, total };
  } finally {
    r.close();
  }
}

async function teamPoints(origin: string): Promise<number> {
  const [row] = await query(store.url, 'SELECT count(*) AS n FROM metrics m JOIN runs r ON r.id = m.run_id WHERE r.origin = $1', [origin]);
  return Number(row.n);
}

/** Every pushed run reads back equal to the local one: statuses, params, metric histories and latest values. */
async function expectAllEqual(db: string): Promise<void> {
  const r = openRegistry({ db });
  try {
    const origin = r.sql<{ value: string }>(`SELECT value FROM registry_meta WHERE key = 'origin'`)[0].value;
    for (const { id } of r.sql<{ id: number }>('SELECT id FROM runs ORDER BY id')) {
      const local = r.getRun(id);
      const team = await teamRun(store.url, origin, id);
      expect(team.status).toBe(local.status);
      expect(team.params).toEqual({ ...local.params });
      for (const key of Object.keys(local.metrics)) {
        expect(team.metrics[key]).toEqual(r.metricHistory(id, key));
        expect(team.latest[key].count).toBe(local.metrics[key].count);
      }
    }
  } finally {
    r.close();
  }
}

/** Calls `act` as soon as the team store holds some of `origin`'s points (the caller checks it was not all). */
async function whenPartly(origin: string, act: () => void): Promise<number> {
  for (;;) {
    const n = await teamPoints(origin);
    if (n > 0) {
      act();
      return n;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('sync across processes', () => {
  it('resumes after a sync killed with SIGKILL mid-way: nothing twice, metrics exactly the local ones', async () => {
    const db = await machine(20_000);
    const { origin, total } = localOf(db);
    const child = spawn(process.execPath, [MACHINE, 'sync', db, store.url, '0', '2000']);
    const finished = collect(child);
    const seen = await whenPartly(origin, () => child.kill('SIGKILL'));
    expect((await finished).signal).toBe('SIGKILL');
    expect(seen).toBeLessThan(total);
    const again = await runNode([MACHINE, 'sync', db, store.url, '0', '2000']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ error: null, pending: [] });
    expect(await teamPoints(origin)).toBe(total);
    await expectAllEqual(db);
  });

  it('two machines (separate registries, separate processes) sync to one store at once: distinct origins, every run, parents right', async () => {
    const [a, b] = [tempDb(), tempDb()];
    const results = await Promise.all([a, b].map((db) => runNode([MACHINE, 'both', db, store.url, '500'])));
    for (const r of results) expect(r).toMatchObject({ code: 0, stderr: '' });
    const locals = [a, b].map(localOf);
    expect(locals[0].origin).not.toBe(locals[1].origin);
    for (const [i, local] of locals.entries()) {
      const [sweep, ...trials] = local.ids;
      const parent = await teamRun(store.url, local.origin, sweep);
      for (const t of trials) expect((await teamRun(store.url, local.origin, t)).parentId).toBe(parent.id);
      await expectAllEqual([a, b][i]);
    }
  });

  it('an outage mid-sync (the connection cut by a proxy) exits 1 with everything committed kept; the next sync completes', async () => {
    const db = await machine(20_000);
    const { origin, total } = localOf(db);
    const url = proxy.via(store.url);
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'kernel-lib', 'dist', 'cli', 'main.js'), 'sync', '--local', db, '--db', url, '--batch-size', '2000']);
    const finished = collect(child);
    await whenPartly(origin, () => proxy.cut());
    const cut = await finished;
    expect(cut.stderr).toBe('');
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(/sync cut short: .*run `labbook sync` again when the team store is back/);
    expect(cut.stdout).toMatch(/pending: \d+ runs/);
    expect(cut.stdout + cut.stderr).not.toContain(':labbook_test@');
    const status = await runCli(['status', '--local', db, '--db', url]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^team store: postgres:\/\/labbook_test:\*\*\*@127\.0\.0\.1:\d+\/\S+, unreachable: .+$/m);
    expect(status.stderr).toBe('');

    proxy.restore();
    const resumed = await runCli(['sync', '--local', db, '--db', url]);
    expect(resumed.stdout).toMatch(/pending: nothing/);
    expect(resumed.code).toBe(0);
    expect(await teamPoints(origin)).toBe(total);
    await expectAllEqual(db);
  });

  it('`labbook status` and `labbook sync` as real processes: pending before, pushed after, mistakes exit 2', async () => {
    const db = await machine(50);
    const { ids } = localOf(db);
    const before = await runCli(['status', '--local', db]);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/team store: none/);
    expect(before.stdout).toMatch(/last sync: never/);
    expect(before.stdout).toContain(`pending: ${ids.length} runs`);
    expect(before.stdout).toMatch(new RegExp(`run ${ids[1]} \\(finished\\): not pushed yet \\(100 points, 0 objects\\)`));

    const sync = await runCli(['sync', '--local', db], { LABBOOK_DB: store.url });
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(/^pushed to postgres:\/\/labbook_test:\*\*\*@[^:]+:\d+\/\S+: 3 runs, 200 points, 0 objects/);
    expect(sync.stdout).toContain('pending: nothing');

    const after = await runCli(['status', '--local', db, '--db', store.url]);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/, reachable$/m);
    expect(after.stdout).toMatch(/^last sync: \d{4}-\d\d-\d\dT/m);
    expect(after.stdout).toContain('pending: nothing, every run is pushed');

    const noUrl = await runCli(['sync', '--local', db], { LABBOOK_DB: undefined });
    expect(noUrl).toMatchObject({ code: 2, stdout: '' });
    expect(noUrl.stderr).toMatch(/^labbook: No team store: expected --db postgres:\/\/\.\.\. or LABBOOK_DB set to one, received neither\./);
    const notUrl = await runCli(['sync', '--local', db, '--db', db]);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toMatch(/Invalid value for `--db`: expected the team store's postgres:\/\/ URL/);
    const badRun = await runCli(['sync', '--local', db, '--db', store.url, '--run', 'x']);
    expect(badRun.code).toBe(2);
  });
});
