/**
 * The filter language answers the same on both stores: the same runs in a SQLite registry (made
 * through the registry API, plus raw fixture rows for exact times) and, mirrored row for row by a
 * test-only loader (test/support/team-mirror.ts, not sync), in PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchRuns, type SearchOptions } from '../../kernel-lib/src/query';
import { diffRuns } from '../../kernel-lib/src/query/diff';
import { openRegistry, type Registry } from '../../kernel-lib/src/registry';
import { openTeamStore, type TeamStore } from '../../kernel-lib/src/team/connect';
import { diffTeamRuns, getTeamMetricHistory, getTeamRun } from '../../kernel-lib/src/team/read';
import { searchTeamRuns } from '../../kernel-lib/src/team/search';
import { tempDb } from '../helpers';
import { addRun } from '../query/fixture';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { mirrorRegistry } from '../support/team-mirror';

let registry: Registry;
let database: TestDatabase;
let store: TeamStore;
const INJECTION = "'; DROP TABLE runs; --";

beforeAll(async () => {
  registry = openRegistry({ db: tempDb(), create: true });
  // Through the registry API: a sweep-like parent with children, params of every type, metrics, tags.
  const parent = registry.startRun({ experiment: 'sweep', config: { space: 'lr' }, seed: 7, name: 'parent' });
  parent.end();
  const values: [number, string, boolean, number | string][] = [
    [0.001, 'adam', true, 5],
    [0.01, 'sgd', false, 'five'],
    [0.1, 'Adam W', true, 12],
    [0.05, "it's", false, 'Zeta'],
  ];
  values.forEach(([lr, optimizer, flag, mixed], i) => {
    const run = registry.startRun({
      experiment: i % 2 ? 'sweep' : 'mnist',
      config: { lr, optimizer, flag, mixed, model: { units: 64 * (i + 1) }, layers: [i, 2], note: i === 0 ? 'x' : null },
      seed: i,
      tags: i < 3 ? { team: ['vision', 'nlp', 'Vision'][i] } : {},
      parentId: i < 2 ? parent.id : undefined,
      name: i === 2 ? null! : `run-${i}`,
    });
    for (let step = 0; step <= i + 1; step++) run.log({ acc: 0.5 + 0.1 * step - 0.05 * i, loss: i === 3 && step === 1 ? NaN : 1 / (step + 1) }, step);
    run.end(i === 3 ? 'failed' : 'finished');
  });
  // Raw rows (the query suites' fixture) for exact times, statuses, a NaN latest value, hostile text.
  const db = registry.db;
  addRun(db, { name: 'baseline', status: 'killed', startedAt: '2024-01-01T00:00:00Z', config: { lr: 0.001, optimizer: INJECTION }, metrics: { acc: [[0, 0.5], [1, null]], 'val.acc': [[0, 0.7]] }, tags: { team: 'vision' } });
  addRun(db, { status: 'running', experiment: 'cifar', startedAt: '2024-06-01T12:00:00.500Z', endedAt: null, config: { batch: 32, optimizer: 'adam' }, datasets: [{ name: 'train', sha256: 'a'.repeat(64), rows: 10, columns: 3 }] });
  addRun(db, { experiment: 'other', startedAt: '2023-01-01', config: { optimizer: 'ünï', mixed: true }, metrics: { 'loss.min': [[0, 5]] } });
  registry.refresh(); // marks the fixture's dead "running" run crashed first, so both stores hold the same rows
  database = await createTestDatabase('conformance');
  store = await openTeamStore(database.url);
  await mirrorRegistry(registry.db, store);
});

afterAll(async () => {
  registry?.close();
  await store?.close();
  await database?.drop();
});

/** Both stores' answer: the summaries, or the error message. */
async function both(options: SearchOptions) {
  const local = (() => {
    try {
      return searchRuns(registry, options);
    } catch (error) {
      return `error: ${(error as Error).message}`;
    }
  })();
  const team = await searchTeamRuns(store, options).catch((error: Error) => `error: ${error.message}`);
  return { local, team };
}

const FILTERS = [
  'config.lr < 0.01',
  'config.lr <= 0.01 AND config.lr > 0.0001',
  'config.lr != 0.1',
  'config.lr = 0.05 OR config.lr = 0.1',
  "config.optimizer = 'adam'",
  "config.optimizer < 'b'",
  "config.optimizer >= 'adam'",
  "config.optimizer != 'adam'",
  "config.optimizer IN ('adam', 'sgd')",
  "config.optimizer NOT IN ('adam', 'sgd')",
  "config.optimizer LIKE 'ADAM%'",
  "config.optimizer NOT LIKE 'adam%'",
  "config.optimizer LIKE '%ü%'",
  `config.optimizer = '''; DROP TABLE runs; --'`,
  'config.flag = true',
  'config.flag = false',
  'config.flag != true',
  'config.model.units >= 128',
  'config.model.units IN (64, 256)',
  "config.layers = '[0,2]'",
  'config.note IS NULL',
  'config.note IS NOT NULL',
  "config.lr LIKE '0.0%'",
  'config.model.units LIKE \'128%\'',
  // A key recorded as numbers in some runs and text in others: SQLite's cross-type order.
  'config.mixed = 5',
  "config.mixed = 'five'",
  'config.mixed > 6',
  "config.mixed < 'a'",
  "config.mixed >= 'Z'",
  'config.mixed != 5',
  "config.mixed IN (5, 'five')",
  "config.mixed NOT IN (12, 'Zeta')",
  'NOT config.lr < 0.01',
  'NOT (config.lr < 0.01 OR config.optimizer = \'sgd\')',
  'NOT config.note IS NULL',
  'metrics.acc > 0.6',
  'metrics.acc.max >= 0.7',
  'metrics.acc.min < 0.5',
  'metrics.acc IS NULL',
  'metrics.loss IS NULL',
  'metrics.`val.acc` = 0.7',
  'metrics.`loss.min` = 5',
  "tags.team = 'vision'",
  "tags.team LIKE 'vision'",
  "tags.team > 'Vision'",
  "tags.team IN ('nlp', 'x')",
  'tags.team IS NULL',
  "NOT tags.team = 'vision'",
  "status = 'failed'",
  "status IN ('running', 'killed')",
  "experiment = 'sweep'",
  "experiment < 'n'",
  "name LIKE 'run-_'",
  "name > 'run-1'",
  'name IS NULL',
  'seed < 2.5',
  'id > 3',
  'parent IS NOT NULL',
  'parent = 1',
  "started_at >= '2024-01-01' AND started_at < '2024-06-01T12:00:00.5Z'",
  "started_at = '2024-06-01T12:00:00.500Z'",
  'ended_at IS NULL',
  'config_hash IS NOT NULL AND code_hash IS NULL',
  // Mistakes: each store gives the same error.
  'config.lrr < 0.1',
  "config.lr = 'x'",
  'config.optimizer = 5',
  'metrics.acc.median > 0',
  'metrics.loss.min = 5',
  'tags.tema = 1',
  "status = 'done'",
  'config.lr <',
];

describe('searchTeamRuns answers as searchRuns does', () => {
  it.each(FILTERS)('where %s', async (where) => {
    const { local, team } = await both({ where, sort: 'id' });
    expect(team).toEqual(local);
  });

  const SORTS = ['-started_at', 'started_at', 'config.lr', '-config.lr', 'config.mixed', '-config.mixed', 'config.optimizer', '-config.optimizer', '-metrics.acc', 'metrics.acc.max', 'tags.team', '-tags.team', 'name', '-name', 'experiment,-id', 'status,config.lr', 'parent', 'metrics.loss', 'config.nope'];
  it.each(SORTS)('sort %s', async (sort) => {
    const { local, team } = await both({ sort });
    expect(team).toEqual(local);
    if (Array.isArray(local)) expect(JSON.stringify(team)).toBe(JSON.stringify(local));
  });

  it.each<SearchOptions>([
    { experiment: 'sweep' },
    { experiment: 'sweep', where: 'config.optimizer IS NOT NULL', sort: '-config.lr' },
    { experiment: 'mnist', where: "config.mixed = 'five'" },
    { experiment: 'swep' },
    { parent: 1 },
    { parent: 1, where: 'config.lr > 0.001' },
    { parent: 999 },
    { sort: 'config.lr', limit: 2, offset: 1 },
    { sort: '-metrics.acc', limit: 3 },
    // A limited page walks the first key's index (query/pg-page.ts): ties, NULLs after, offsets past the end.
    { sort: 'metrics.loss', limit: 20 },
    { sort: '-metrics.acc', limit: 2, offset: 4 },
    { where: 'metrics.acc > 0.6', sort: 'metrics.loss', limit: 2, offset: 10 },
    { sort: 'config.mixed', limit: 3, offset: 1 },
    { sort: '-config.lr', limit: 2 },
    { sort: '-config.mixed', limit: 4 },
    { sort: '-started_at', limit: 3, offset: 2 },
    { experiment: 'sweep', sort: '-metrics.acc,name', limit: 2, offset: 1 },
    { limit: 0 },
    { offset: 100 },
  ])('options %j', async (options) => {
    const { local, team } = await both(options);
    expect(team).toEqual(local);
  });
});

describe('getTeamRun and diffs read what the registry reads', () => {
  it('returns the RunRecord registry.getRun returns', async () => {
    for (const id of [1, 2, 3, 4, 5, 6, 7, 8]) expect(await getTeamRun(store, id)).toEqual(registry.getRun(id));
    await expect(getTeamRun(store, 99)).rejects.toThrow(/^No run with id 99 in this registry/);
  });

  it('gives metric histories and diffs alike', async () => {
    expect(await getTeamMetricHistory(store, 5, 'loss')).toEqual(registry.metricHistory(5, 'loss'));
    expect(await diffTeamRuns(store, [2, 3, 5], { all: true })).toEqual(diffRuns(registry, [2, 3, 5], { all: true }));
    expect(await diffTeamRuns(store, [2, 6])).toEqual(diffRuns(registry, [2, 6]));
  });
});
