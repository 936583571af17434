import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry, type Registry } from '../../kernel-lib/src/registry';
import { syncToTeam } from '../../kernel-lib/src/team/sync';
import { tempDb } from '../helpers';
import type { TestDatabase } from '../support/postgres';
import { createTestDatabase } from '../support/postgres';
import { startTcpProxy } from '../support/tcp-proxy';
import { createTeamStore, query } from '../support/team';
import { teamRows, teamRun } from '../support/team-read';

let store: TestDatabase;
const registries: Registry[] = [];

beforeAll(async () => {
  store = await createTeamStore('sync');
});
afterAll(async () => {
  for (const r of registries) r.close();
  await store.drop();
});

function registry(): Registry {
  const r = openRegistry({ db: tempDb() });
  registries.push(r);
  return r;
}

function origin(r: Registry): string {
  return r.sql<{ value: string }>(`SELECT value FROM registry_meta WHERE key = 'origin'`)[0].value;
}

/** A finished run with every kind of record: typed params, tags, a dataset, metrics, a checkpoint, an artifact. */
function fullRun(r: Registry, points = 250): number {
  const run = r.startRun({ experiment: 'sync', name: 'full', seed: 7, config: { lr: 0.01, units: 32, act: 'relu', code: '007', deep: true, none: null, sizes: [1, 2] }, tags: { purpose: 'sync' } });
  run.logDataset({ name: 'train', sha256: 'a'.repeat(64), rows: 10, columns: 3, source: 'mem' });
  for (let s = 0; s < points; s++) run.log({ loss: 1 / (s + 1), acc: s % 7 === 0 ? Number.NaN : s / points }, s);
  run.saveCheckpoint(new Uint8Array([1, 2, 3, 4]), { step: points });
  run.logArtifact('notes', 'some text');
  run.end();
  return run.id;
}

async function expectSame(r: Registry, id: number): Promise<void> {
  const local = r.getRun(id);
  const team = await teamRun(store.url, origin(r), id);
  expect(team.status).toBe(local.status);
  expect(team.config).toEqual(local.config);
  expect(team.params).toEqual({ ...local.params });
  expect(team.tags).toEqual({ ...local.tags });
  for (const key of Object.keys(local.metrics)) {
    expect(team.metrics[key]).toEqual(r.metricHistory(id, key));
    const { step, value, min, max, count } = local.metrics[key];
    expect(team.latest[key]).toEqual({ step, value, min, max, count });
  }
  expect(Object.keys(team.metrics).sort()).toEqual(Object.keys(local.metrics).sort());
  expect(team.checkpoints).toEqual(local.checkpoints.map(({ step, sha256, bytes }) => ({ step, sha256, bytes })));
  expect(team.artifacts).toEqual(local.artifacts.map(({ name, sha256, bytes }) => ({ name, sha256, bytes })));
}

describe('syncToTeam', () => {
  it('gives every registry a random origin of its own, kept across opens', () => {
    const a = registry();
    const b = registry();
    expect(origin(a)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(origin(a)).not.toBe(origin(b));
    const again = openRegistry({ db: a.path });
    expect(origin(again)).toBe(origin(a));
    again.close();
  });

  it('pushes runs that read back equal (config, typed params, tags, metrics, checkpoints), and a second sync changes nothing', async () => {
    const r = registry();
    const id = fullRun(r);
    const first = await syncToTeam(r, store.url, { batchSize: 100 });
    expect(first).toMatchObject({ error: null, runs: 1, points: 500, objects: 2, pending: [], refused: [] });
    expect(first.team).toMatch(/^postgres:\/\/labbook_test:\*\*\*@/);
    await expectSame(r, id);
    const rows = await teamRows(store.url);
    const second = await syncToTeam(r.path, store.url);
    expect(second).toMatchObject({ error: null, runs: 0, points: 0, objects: 0, bytes: 0, pending: [] });
    expect(await teamRows(store.url)).toEqual(rows);
  });

  it('pushes a running run as far as it got, and the rest (status last) once it ends', async () => {
    const r = registry();
    const run = r.startRun({ experiment: 'sync', name: 'live', seed: 1, config: { a: 1 } });
    for (let s = 0; s < 40; s++) run.log({ loss: s }, s);
    run.flush();
    const partly = await syncToTeam(r, store.url, { runIds: [run.id] });
    expect(partly.points).toBe(40);
    expect(partly.pending).toEqual([{ id: run.id, status: 'running', points: 0, objects: 0, started: true }]);
    let team = await teamRun(store.url, origin(r), run.id);
    expect(team.status).toBe('running');
    expect(team.metrics.loss.map((p) => p.step)).toEqual([...Array(40).keys()]);

    for (let s = 40; s < 100; s++) run.log({ loss: s }, s);
    run.setTags({ late: 'yes' });
    run.end('failed', 'diverged');
    const rest = await syncToTeam(r, store.url, { runIds: [run.id] });
    expect(rest).toMatchObject({ error: null, points: 60, pending: [] });
    team = await teamRun(store.url, origin(r), run.id);
    expect(team.status).toBe('failed');
    await expectSame(r, run.id);
    const [row] = await query(store.url, 'SELECT error, ended_at FROM runs WHERE id = $1', [team.id]);
    expect(row.error).toBe('diverged');
    expect(Number(row.ended_at)).toBe(r.getRun(run.id).endedAt);
  });


  it('a batch sent again (committed, its cursor lost) and mixed with new points adds only the new ones to the history and the counts', async () => {
    const r = registry();
    const run = r.startRun({ experiment: 'sync', name: 'again', seed: 1, config: { a: 2 } });
    for (let s = 0; s < 30; s++) run.log({ loss: 30 - s, acc: s % 4 === 0 ? Number.NaN : s }, s);
    run.flush();
    await syncToTeam(r, store.url, { runIds: [run.id] });
    const cursor = r.db.prepare('SELECT metric_steps, points FROM sync_state WHERE run_id = ?').get(run.id) as { metric_steps: string; points: number };
    for (let s = 30; s < 60; s++) run.log({ loss: 30 - s, acc: s }, s);
    run.flush();
    await syncToTeam(r, store.url, { runIds: [run.id] });
    // As if the last sync's commits reached the team store and its cursor never reached the disk.
    r.db.prepare('UPDATE sync_state SET metric_steps = ?, points = ? WHERE run_id = ?').run(cursor.metric_steps, cursor.points, run.id);
    for (let s = 60; s < 80; s++) run.log({ loss: -100 + s, acc: s % 5 === 0 ? Number.NaN : 2 * s }, s);
    run.end();
    const again = await syncToTeam(r, store.url, { runIds: [run.id], batchSize: 25 });
    expect(again).toMatchObject({ error: null, pending: [] });
    await expectSame(r, run.id);
  });
  it("pushes in order: a parent before its children, linked through their team ids; a worker's stand-in parent (sweep.team_parent) is not pushed, its trials hang off the team parent", async () => {
    const r = registry();
    const parent = r.startRun({ experiment: 'sweep', name: 'sweep', seed: 1 });
    const kids = [0, 1].map((t) => r.startRun({ experiment: 'sweep', name: `t${t}`, seed: 2, parentId: parent.id }));
    kids.forEach((k) => k.end());
    parent.end();
    // Only a child is asked for: its parent is pushed first all the same.
    await syncToTeam(r, store.url, { runIds: [kids[1].id] });
    const p = await teamRun(store.url, origin(r), parent.id);
    expect((await teamRun(store.url, origin(r), kids[1].id)).parentId).toBe(p.id);
    await syncToTeam(r, store.url);
    expect((await teamRun(store.url, origin(r), kids[0].id)).parentId).toBe(p.id);

    const worker = registry();
    const standIn = worker.startRun({ experiment: 'sweep', name: 'worker parent', seed: 3, tags: { 'sweep.team_parent': String(p.id) } });
    const trial = worker.startRun({ experiment: 'sweep', name: 'remote trial', seed: 3, parentId: standIn.id });
    trial.log({ loss: 1 }, 0);
    trial.end();
    expect((await syncToTeam(worker, store.url, { runIds: [trial.id] })).error).toBeNull();
    expect((await teamRun(store.url, origin(worker), trial.id)).parentId).toBe(p.id);
    standIn.log({ seen: 1 }, 0);
    standIn.end();
    const settled = await syncToTeam(worker, store.url);
    expect(settled).toMatchObject({ error: null, pending: [] });
    expect(await query(store.url, 'SELECT id FROM runs WHERE origin = $1 ORDER BY id', [origin(worker)])).toEqual([{ id: expect.anything() }]);
    expect(await query(store.url, "SELECT count(*)::int AS n FROM metrics WHERE key = 'seen'")).toEqual([{ n: 0 }]);
  });

  it('refuses a corrupt local object: neither it nor the row naming it is pushed, and the run stays pending', async () => {
    const r = registry();
    const run = r.startRun({ experiment: 'sync', name: 'corrupt', seed: 1 });
    const good = run.saveCheckpoint(new Uint8Array([9, 9, 9]), { step: 1 });
    const bad = run.saveCheckpoint(new Uint8Array([5, 6, 7, 8]), { step: 2 });
    run.end();
    writeFileSync(join(r.objects.dir, bad.sha256), Buffer.from([5, 6, 7, 0]));
    const result = await syncToTeam(r, store.url);
    expect(result.refused).toEqual([{ run: run.id, sha256: bad.sha256, reason: expect.stringContaining('corrupt') }]);
    expect(result.pending).toEqual([{ id: run.id, status: 'finished', points: 0, objects: 1, started: true }]);
    const team = await teamRun(store.url, origin(r), run.id);
    expect(team.checkpoints.map((c) => c.sha256)).toEqual([good.sha256]);
    expect(team.status).toBe('running'); // not complete, so not marked ended
    expect(await query(store.url, 'SELECT 1 FROM objects WHERE sha256 = $1', [bad.sha256])).toEqual([]);
  });

  it('migrates an empty database on the first sync; a store down from the start is an error in the result, the registry unchanged', async () => {
    const r = registry();
    const run = r.startRun({ experiment: 'sync', name: 'first', seed: 1 });
    run.log({ loss: 1 }, 0);
    run.end();
    const empty = await createTestDatabase('sync_empty');
    const proxy = await startTcpProxy({ host: new URL(empty.url).hostname, port: Number(new URL(empty.url).port || 5432) });
    try {
      proxy.cut();
      const before = r.sql('SELECT * FROM sync_state');
      const down = await syncToTeam(r, proxy.via(empty.url));
      expect(down.error).toMatch(/^Cannot reach the team store at postgres:\/\/labbook_test:\*\*\*@127\.0\.0\.1:\d+\//);
      expect(down).toMatchObject({ runs: 0, points: 0, pending: [{ id: run.id, status: 'finished', points: 1, objects: 0, started: false }] });
      expect(r.sql('SELECT * FROM sync_state')).toEqual(before);
      proxy.restore();
      const up = await syncToTeam(r, proxy.via(empty.url));
      expect(up).toMatchObject({ error: null, runs: 1, points: 1, pending: [] });
      expect(await query(empty.url, 'SELECT max(version) AS v FROM labbook_schema')).toEqual([{ v: expect.any(Number) }]);
    } finally {
      await proxy.close();
      await empty.drop();
    }
  });
});
