/** `labbook runs/show/diff/export` on the team store as real processes: the same output as on SQLite. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { openTeamStore } from '../../kernel-lib/src/team/connect';
import { CLI, runNode, tempDb, tempDir } from '../helpers';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { mirrorRegistry } from '../support/team-mirror';

let path: string;
let database: TestDatabase;

beforeAll(async () => {
  path = tempDb();
  const registry = openRegistry({ db: path, create: true });
  const parent = registry.startRun({ experiment: 'sweep', config: { space: 'lr' }, seed: 1 });
  parent.end();
  [0.001, 0.01, 0.1].forEach((lr, i) => {
    const run = registry.startRun({ experiment: 'sweep', config: { lr, optimizer: i ? 'sgd' : 'adam', model: { units: 32 << i } }, seed: i, tags: { team: 'nlp' }, parentId: parent.id, name: `trial-${i}` });
    for (let step = 0; step < 3; step++) run.log({ acc: 0.6 + 0.1 * i + 0.01 * step, loss: 1 / (step + 1 + i) }, step);
    run.saveCheckpoint(new Uint8Array([i, 1, 2]), { step: 2 });
    run.end();
  });
  database = await createTestDatabase('cli');
  const store = await openTeamStore(database.url);
  await mirrorRegistry(registry.db, store);
  await store.close();
  registry.close();
});

afterAll(async () => {
  await database?.drop();
});

const labbook = (args: string[], env: NodeJS.ProcessEnv = {}) => runNode([CLI, ...args], { env: { LABBOOK_DB: undefined, ...env } });

describe('read commands with --db postgres://…', () => {
  const COMMANDS = [
    ['runs'],
    ['runs', '--json'],
    ['runs', '--where', "config.lr < 0.05 AND metrics.acc > 0.5", '--sort', '-metrics.acc'],
    ['runs', '--columns', 'id,config.lr,metrics.acc.max,parent,config_hash', '--sort', 'config.lr'],
    ['runs', '--parent', '1', '--limit', '2', '--offset', '1'],
    ['show', '2'],
    ['show', '3', '--json'],
    ['diff', '2', '3', '4'],
    ['diff', '2', '4', '--all', '--json'],
    ['export', '--format', 'csv', '--sort', 'config.lr'],
    ['export', '--format', 'json', '--experiment', 'sweep'],
  ];
  it.each(COMMANDS)('%s %s %s %s %s prints what it prints on SQLite', async (...args) => {
    const [local, team] = await Promise.all([labbook([...args, '--db', path]), labbook([...args, '--db', database.url])]);
    expect(local.code).toBe(0);
    expect(team.stderr).toBe('');
    expect(team.stdout).toBe(local.stdout);
    expect(team.code).toBe(0);
  });

  it('takes the team store from LABBOOK_DB too (postgresql:// as well)', async () => {
    const url = database.url.replace(/^postgres:/, 'postgresql:');
    const [local, team] = await Promise.all([labbook(['runs', '--sort', 'id', '--db', path]), labbook(['runs', '--sort', 'id'], { LABBOOK_DB: url })]);
    expect(team.stdout).toBe(local.stdout);
  });

  it('reports a mistake in one line with exit 2, as on SQLite', async () => {
    for (const args of [['runs', '--where', 'config.lrr < 1'], ['show', '99'], ['runs', '--experiment', 'swep']]) {
      const [local, team] = await Promise.all([labbook([...args, '--db', path]), labbook([...args, '--db', database.url])]);
      expect(team.code).toBe(2);
      expect(team.stderr).toBe(local.stderr);
      expect(team.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('says which commands work on a local registry only, naming the local alternative', async () => {
    const out = tempDir('labbook-cli-');
    const written = [join(out, 'r.html'), join(out, 'a.bin')];
    const cases = [['gc'], ['sql', 'SELECT 1'], ['delete', '2'], ['tag', '2', 'a=b'], ['report', '2', '-o', written[0]], ['reproduce', '2'],
      ['predict', '2', join(out, 'rows.json')], ['artifact', '2', 'x', '-o', written[1]]];
    for (const args of cases) {
      const result = await labbook([...args, '--db', database.url]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^labbook: `labbook \w+` works on a local registry only: expected --db PATH to a SQLite registry, received a PostgreSQL URL \(the team store\)\..*--db \.labbook\/labbook\.db/);
      expect(result.stderr).not.toContain('labbook_test:labbook_test');
    }
    // LABBOOK_DB too; and nothing was written, nor a local registry made in its place.
    const local = join(out, 'local.db');
    const viaEnv = await labbook(['report', '2', '-o', written[0]], { LABBOOK_DB: database.url, LABBOOK_LOCAL_DB: local });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toMatch(/^labbook: `labbook report` works on a local registry only: /);
    for (const file of [...written, local]) expect(existsSync(file), file).toBe(false);
  });

  it('names an unreachable server with the fix and without the password: exit 1 (no mistake in the command), as sync', async () => {
    const closed = 'postgres://someone:hunter2@127.0.0.1:1/labbook';
    const local = tempDb();
    for (const args of [['runs'], ['show', '2'], ['sweep', 'show', '1'], ['worker', '--sweep', '1', '--local', local], ['sync', '--local', path]]) {
      const result = await labbook([...args, '--db', closed]);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
      expect(result.stdout + result.stderr).toMatch(/Cannot reach the team store at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/labbook: expected a PostgreSQL server accepting connections/);
      expect(result.stdout + result.stderr).not.toContain('hunter2');
      if (args[0] !== 'sync') expect(result.stderr).toMatch(/^labbook: Cannot reach the team store at [^\n]*\n$/);
    }
  });

  it('never loads pg for a SQLite registry (the CLI stays fast)', async () => {
    const probe = `require(${JSON.stringify(CLI)}).main(['runs', '--db', ${JSON.stringify(path)}]).then(() => process.stderr.write(String(Object.keys(require.cache).some((k) => /[\\\\/]node_modules[\\\\/]pg[\\\\/]/.test(k)))))`;
    const result = await runNode(['-e', probe], { env: { LABBOOK_DB: undefined } });
    expect(result.stderr).toBe('false');
  });
});
