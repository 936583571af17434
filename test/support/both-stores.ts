/**
 * The registry suite on both stores. A test file calls `onBothStores()` and names its registries
 * with `registryDb()` (or `trackRegistry(path)`); after each test, a copy of every registry it
 * wrote is pushed to a real PostgreSQL team store by labbook's own sync, and everything the SQLite
 * registry reads back must read back the same from the team store: each run's record (config,
 * params, latest metrics, tags, datasets, checkpoints, artifacts, family, error), every metric's
 * history, the run list, diffs and the objects' bytes. So every behaviour the suite pins on
 * SQLite is pinned on PostgreSQL too, with no second copy of the tests to drift.
 */
import { copyFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeEach, expect } from 'vitest';
import { searchRuns } from '../../kernel-lib/src/query';
import { diffRuns } from '../../kernel-lib/src/query/diff';
import { openRegistry } from '../../kernel-lib/src/registry';
import type { RunRecord } from '../../kernel-lib/src/registry/types';
import { openTeamStore } from '../../kernel-lib/src/team/connect';
import { getObject } from '../../kernel-lib/src/team/objects';
import { diffTeamRuns, getTeamMetricHistory, getTeamRun } from '../../kernel-lib/src/team/read';
import { searchTeamRuns } from '../../kernel-lib/src/team/search';
import { syncToTeam } from '../../kernel-lib/src/team/sync';
import { tempDb, tempDir } from '../helpers';
import { createTeamStore } from './team';
import type { TestDatabase } from './postgres';

/** Registries named inside a test (checked after it), and those named in beforeAll (after every test). */
let tracked: string[] = [];
const shared: string[] = [];
let inTest = false;
let database: TestDatabase | undefined;

/** A temp registry path whose registry is also checked on the team store after the test. */
export function registryDb(): string {
  return trackRegistry(tempDb());
}

export function trackRegistry(path: string): string {
  (inTest ? tracked : shared).push(path);
  return path;
}

/** Registers the after-each check (and drops the file's team store at the end). */
export function onBothStores(): void {
  beforeEach(() => {
    inTest = true;
  });
  afterEach(checkBothStores);
  afterAll(async () => {
    await database?.drop();
    database = undefined;
  });
}

/**
 * The check itself, run after each test. A file whose own afterEach removes its registry (a
 * small disk unmounted) calls it first, since inner afterEach hooks run before this one.
 */
export async function checkBothStores(): Promise<void> {
  const paths = [...shared, ...tracked];
  tracked = [];
  inTest = false;
  for (const path of paths) {
    if (!existsSync(path)) throw new Error(`${path} was removed before its team store check: call checkBothStores() before removing it.`);
    await expectTeamStoreAgrees(path);
  }
}

// metrics first and alone: whatever ties it to runs (a foreign key or triggers), it is emptied.
const EMPTY = ['TRUNCATE metrics', 'TRUNCATE experiments, runs, params, metrics_latest, tags, checkpoints, artifacts, datasets, objects RESTART IDENTITY CASCADE'];

async function expectTeamStoreAgrees(path: string): Promise<void> {
  database ??= await createTeamStore('both_stores');
  const store = await openTeamStore(database.url, { max: 2 });
  const copy = copyRegistry(path);
  const registry = openRegistry({ db: copy, create: false });
  try {
    for (const sql of EMPTY) await store.query(sql);
    const pushed = await syncToTeam(registry, database.url);
    expect(pushed.error, `sync of ${path}`).toBeNull();
    const refused = new Set(pushed.refused.map((r) => r.sha256));
    // Local id -> team id: sync keeps the local id as origin_run_id.
    const idOf = new Map<number, number>();
    for (const row of await store.query<{ id: number; origin_run_id: number }>('SELECT id, origin_run_id FROM runs')) idOf.set(Number(row.origin_run_id), Number(row.id));
    const localOf = new Map([...idOf].map(([local, team]) => [team, local]));
    const localIds = registry.sql<{ id: number }>('SELECT id FROM runs ORDER BY id').map((r) => r.id);
    expect([...idOf.keys()].sort((a, b) => a - b), 'every run reaches the team store').toEqual(localIds);

    const pending = new Set(pushed.pending.map((p) => p.id));
    const unended = new Set<number>();
    for (const id of localIds) {
      const local = withoutRefused(registry.getRun(id), refused);
      const held = [...local.checkpoints, ...local.artifacts].length < [...registry.getRun(id).checkpoints, ...registry.getRun(id).artifacts].length;
      if (held) {
        // Sync never pushes bytes that fail their hash: the run stays pending, its end not pushed.
        expect(pending.has(id), `run ${id} with a corrupt object is pending`).toBe(true);
        Object.assign(local, { status: 'running', endedAt: null });
        unended.add(id);
      }
      const team = asLocal(await getTeamRun(store, idOf.get(id)!), localOf);
      expect(team, `run ${id} of ${path}`).toEqual(local);
      for (const key of Object.keys(local.metrics)) {
        expect(await getTeamMetricHistory(store, idOf.get(id)!, key), `history of ${key} in run ${id}`).toEqual(registry.metricHistory(id, key));
      }
      for (const { sha256 } of [...local.checkpoints, ...local.artifacts]) {
        expect(Buffer.compare(await getObject(store, sha256), Buffer.from(registry.readObject(sha256))), `object ${sha256}`).toBe(0);
      }
    }
    const teamList = (await searchTeamRuns(store, { sort: 'id' })).map((s) => ({ ...s, id: localOf.get(s.id)! }));
    const localList = searchRuns(registry, { sort: 'id' }).map((s) => (unended.has(s.id) ? { ...s, status: 'running', endedAt: null } : s));
    expect(teamList, 'the run list').toEqual(localList);
    if (localIds.length >= 2 && refused.size === 0) {
      const teamDiff = await diffTeamRuns(store, localIds.map((id) => idOf.get(id)!), { all: true });
      expect({ ...teamDiff, runs: teamDiff.runs.map((id) => localOf.get(id)) }, 'the diff of every run').toEqual(diffRuns(registry, localIds, { all: true }));
    }
  } finally {
    registry.close();
    await store.close();
  }
}

/**
 * Syncing writes its cursors into the registry, and a test's registry may sit on a full or
 * read-only disk: the check syncs a copy instead, beside a link to the objects. A file copy of the
 * database and its WAL is a consistent one here, as every writer has ended or been killed by now.
 */
function copyRegistry(path: string): string {
  const dir = tempDir('labbook-both-');
  const copy = join(dir, 'registry.db');
  copyFileSync(path, copy);
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
  const objects = join(dirname(path), 'objects');
  if (existsSync(objects)) symlinkSync(objects, join(dir, 'objects'));
  else mkdirSync(join(dir, 'objects'));
  return copy;
}

/** The team's ids, mapped back to local ones for comparison. */
function asLocal(record: RunRecord, localOf: Map<number, number>): RunRecord {
  const map = (id: number) => localOf.get(id) ?? -id;
  return { ...record, id: map(record.id), parent: record.parent === null ? null : map(record.parent), children: record.children.map(map) };
}

/** A corrupt object is refused by sync, and with it the row naming it (and the run's end). */
function withoutRefused(record: RunRecord, refused: Set<string>): RunRecord {
  if (refused.size === 0) return record;
  return { ...record, checkpoints: record.checkpoints.filter((c) => !refused.has(c.sha256)), artifacts: record.artifacts.filter((a) => !refused.has(a.sha256)) };
}
