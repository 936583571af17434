import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { searchRuns } from '../../kernel-lib/src/query';
import { openRegistry } from '../../kernel-lib/src/registry';
import { MIGRATIONS, SCHEMA_VERSION } from '../../kernel-lib/src/registry/migrations';
import { onBothStores, registryDb } from '../support/both-stores';

onBothStores();

function ended(registry: ReturnType<typeof openRegistry>, options: { parentId?: number; tags?: { [k: string]: string } } = {}): number {
  const run = registry.startRun({ experiment: 'sweep', config: { lr: 0.1 }, seed: 1, ...options });
  run.end();
  return run.id;
}

describe('tags on ended runs', () => {
  it('sets, changes and deletes tags of a finished run through the registry', () => {
    const registry = openRegistry({ db: registryDb() });
    const id = ended(registry, { tags: { purpose: 'baseline' } });
    registry.setTags(id, { purpose: 'best', reviewed: true, rank: 1 });
    expect({ ...registry.getRun(id).tags }).toEqual({ purpose: 'best', reviewed: 'true', rank: '1' });
    registry.deleteTag(id, 'rank');
    expect({ ...registry.getRun(id).tags }).toEqual({ purpose: 'best', reviewed: 'true' });
    expect(searchRuns(registry, { where: "tags.purpose = 'best'" }).map((r) => r.id)).toEqual([id]);
    registry.close();
  });

  it('names the mistake: a missing run, a tag the run lacks, a bad value', () => {
    const registry = openRegistry({ db: registryDb() });
    const id = ended(registry, { tags: { purpose: 'baseline' } });
    expect(() => registry.setTags(99, { a: 'b' })).toThrow(/No run with id 99 in this registry/);
    expect(() => registry.deleteTag(id, 'purpos')).toThrow(/^Run 1 has no tag `purpos`: expected one of `purpose`\. Did you mean `purpose`\?$/);
    expect(() => registry.setTags(id, { a: { nested: 1 } as unknown as string })).toThrow(/Invalid value for `tags\.a`: expected a string, number or boolean/);
    expect(() => registry.setTags(id, { '': 'x' })).toThrow(/Invalid value for `tag name`: expected a non-empty string/);
    registry.close();
  });

  it('the handle of an ended run points to the registry for tag changes', () => {
    const registry = openRegistry({ db: registryDb() });
    const run = registry.startRun({ experiment: 'sweep' });
    run.end();
    expect(() => run.setTags({ a: 'b' })).toThrow(/registry\.setTags\(1, tags\)/);
    registry.close();
  });
});

describe('parent and child runs', () => {
  it('stores the parent, shows it both ways, and finds children by option and by filter', () => {
    const registry = openRegistry({ db: registryDb() });
    const sweep = ended(registry);
    const a = ended(registry, { parentId: sweep });
    const live = registry.startRun({ experiment: 'trial', parentId: sweep });
    expect(live.parent).toBe(sweep);
    live.end();
    const loner = ended(registry);
    expect(registry.getRun(a).parent).toBe(sweep);
    expect(registry.getRun(sweep)).toMatchObject({ parent: null, children: [a, live.id] });
    const ids = (options: Parameters<typeof searchRuns>[1]) => searchRuns(registry, { sort: 'id', ...options }).map((r) => r.id);
    expect(ids({ parent: sweep })).toEqual([a, live.id]);
    expect(ids({ where: `parent = ${sweep}` })).toEqual([a, live.id]);
    expect(ids({ where: 'parent IS NULL' })).toEqual([sweep, loner]);
    expect(ids({ sort: '-parent,id' }).slice(0, 2)).toEqual([a, live.id]);
    expect(searchRuns(registry, { where: `id = ${a}` })[0].parent).toBe(sweep);
    expect(() => searchRuns(registry, { parent: 99 })).toThrow(/No run with id 99 in this registry/);
    expect(() => searchRuns(registry, { where: "parent = 'x'" })).toThrow(/`parent` is a number, compared with text/);
    registry.close();
  });

  it('refuses a parent that does not exist and an option it does not know, recording nothing', () => {
    const registry = openRegistry({ db: registryDb() });
    expect(() => registry.startRun({ experiment: 'trial', parentId: 7 })).toThrow(/^Invalid value for `parentId`: expected the id of a recorded run, received 7 \(no such run in this registry\)/);
    expect(() => registry.startRun({ experiment: 'trial', parentId: 0 })).toThrow(/Invalid value for `parentId`: expected the id of a recorded run \(a positive integer\), received 0/);
    expect(() => registry.startRun({ experiment: 'trial', parent: 1 } as never)).toThrow(/Invalid value for `startRun option`: expected one of .*parentId.*received "parent"\. Did you mean `parentId`\?/);
    expect(registry.sql('SELECT id FROM runs')).toEqual([]);
    registry.close();
  });

  it('refuses to delete a parent whose children stay, and deletes it together with them', () => {
    const registry = openRegistry({ db: registryDb() });
    const sweep = ended(registry);
    const [a, b] = [ended(registry, { parentId: sweep }), ended(registry, { parentId: sweep })];
    expect(() => registry.deleteRun(sweep)).toThrow(
      `Run ${sweep} has child runs ${a}, ${b}: expected a run without children, since deleting it would orphan them. Delete them together (labbook delete ${sweep} ${a} ${b}), or delete the children first.`,
    );
    expect(() => registry.deleteRuns([sweep, a])).toThrow(new RegExp(`Run ${sweep} has child run ${b}:`));
    expect(registry.sql<{ id: number }>('SELECT id FROM runs ORDER BY id').map((r) => r.id)).toEqual([sweep, a, b]); // all or nothing
    registry.deleteRuns([sweep, a, b]);
    expect(registry.sql('SELECT id FROM runs')).toEqual([]);
    registry.close();
  });
});

describe('migration 3 (parent_id)', () => {
  it('brings a version-2 database to the current version, keeping every run, tag and pin', () => {
    const db = registryDb();
    const raw = new Database(db);
    raw.exec(MIGRATIONS[0]);
    raw.exec(MIGRATIONS[1]);
    raw.pragma('user_version = 2');
    raw.exec(`
      INSERT INTO experiments (id, name, created_at) VALUES (1, 'old', 0);
      INSERT INTO runs (id, experiment_id, name, status, seed, config, config_hash, code_hash, env, host, pid, started_at, ended_at, heartbeat_at)
        VALUES (1, 1, 'kept', 'finished', 5, '{"lr":0.1}', 'h', NULL, '{}', 'elsewhere', 1, 1000, 2000, 2000);
      INSERT INTO params (run_id, key, value, type) VALUES (1, 'lr', 0.1, 'number');
      INSERT INTO metrics (run_id, key, step, value, time) VALUES (1, 'loss', 0, 0.5, 1500);
      INSERT INTO metrics_latest (run_id, key, step, value, time, min, max, count) VALUES (1, 'loss', 0, 0.5, 1500, 0.5, 0.5, 1);
      INSERT INTO tags (run_id, key, value) VALUES (1, 'purpose', 'baseline');
      INSERT INTO object_pins (sha256, host, pid, pid_started, created_at) VALUES ('${'a'.repeat(64)}', 'elsewhere', 1, NULL, 0);
    `);
    raw.close();

    const registry = openRegistry({ db });
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
    expect(registry.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(registry.getRun(1)).toMatchObject({ name: 'kept', status: 'finished', seed: 5, config: { lr: 0.1 }, params: { lr: 0.1 }, tags: { purpose: 'baseline' }, parent: null, children: [] });
    expect(registry.getRun(1).metrics.loss).toMatchObject({ value: 0.5, count: 1 });
    expect(registry.sql('SELECT sha256 FROM object_pins')).toHaveLength(1);
    expect(registry.sql('PRAGMA foreign_key_list(runs)')).toEqual(expect.arrayContaining([expect.objectContaining({ table: 'runs', from: 'parent_id', to: 'id' })]));
    const child = registry.startRun({ experiment: 'old', parentId: 1 });
    child.end();
    expect(registry.getRun(1).children).toEqual([child.id]);
    registry.close();
  });
});
