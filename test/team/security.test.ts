/** Credentials never recorded or printed; the least-privilege roles of the README do what they say. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { captureEnvironment, registerEnvProvider } from '../../kernel-lib/src/repro/env';
import { openTeamStore, type TeamStore } from '../../kernel-lib/src/team/connect';
import { getTeamRun } from '../../kernel-lib/src/team/read';
import { teamRoleSql } from '../../kernel-lib/src/team/roles';
import { searchTeamRuns } from '../../kernel-lib/src/team/search';
import { syncToTeam } from '../../kernel-lib/src/team/sync';
import { redactUrl } from '../../kernel-lib/src/team/url';
import { CLI, ROOT, runCli, runNode, tempDb, tempDir } from '../helpers';
import { NO_STORE_ENV } from '../fixtures/queue/setup';
import { createTestDatabase, TEST_PG_URL, type TestDatabase } from '../support/postgres';
import { mirrorRegistry } from '../support/team-mirror';

describe('credentials', () => {
  it('redacts a URL password wherever a URL is shown', () => {
    expect(redactUrl('postgres://u:secret@db:5432/team')).toBe('postgres://u:***@db:5432/team');
    expect(redactUrl('at postgresql://me:p%40ss@h/x and postgres://other:two@h2/y')).toBe('at postgresql://me:***@h/x and postgres://other:***@h2/y');
    expect(redactUrl('postgres://u@h/db?sslmode=require&password=secret')).toBe('postgres://u@h/db?sslmode=require&password=***');
    expect(redactUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
  });

  it('redacts a password holding `@` or `/` whole: up to the last `@` of the authority', () => {
    expect(redactUrl('postgres://u:p@ss@h/db')).toBe('postgres://u:***@h/db');
    expect(redactUrl('postgres://u:pa/ss@h/db')).toBe('postgres://u:***@h/db');
    expect(redactUrl('at postgres://u:a@b@c@h:5432/db?x=1 and postgres://v:pa/ss@h2 then')).toBe('at postgres://u:***@h:5432/db?x=1 and postgres://v:***@h2 then');
    expect(redactUrl('"postgres://u:p@ss@h"')).toBe('"postgres://u:***@h"');
    // What follows the authority is not taken for a password, nor a port for one.
    expect(redactUrl('postgres://u:pw@h/db, mail a@b.com')).toBe('postgres://u:***@h/db, mail a@b.com');
    expect(redactUrl('postgres://h:5432/db')).toBe('postgres://h:5432/db');
    expect(JSON.stringify(['postgres://u:p@ss@h/db', 'postgres://u:pa/ss@h/db'].map(redactUrl))).not.toMatch(/ss@/);
  });

  it('keeps PGPASSWORD-like variables and URL passwords out of a recorded environment', () => {
    const remove = registerEnvProvider('vars', () => ({
      PGPASSWORD: 'secret',
      LABBOOK_DB: 'postgres://u:secret@db/team',
      nested: { API_TOKEN: 'secret', list: ['postgresql://a:secret@h/x'] },
      kept: 'x',
    }));
    try {
      const env = captureEnvironment();
      expect(env.vars).toEqual({ LABBOOK_DB: 'postgres://u:***@db/team', kept: 'x', nested: { list: ['postgresql://a:***@h/x'] } });
      expect(JSON.stringify(env)).not.toContain('secret');
    } finally {
      remove();
    }
    const registry = openRegistry({ db: join(tempDir('labbook-cred-'), 'r.db'), create: true });
    const run = registry.startRun({ experiment: 'e', env: { db: { url: 'postgres://u:secret@h/x', PGPASSWORD: 'secret' } } });
    run.end();
    expect(registry.getRun(run.id).env.db).toEqual({ url: 'postgres://u:***@h/x' });
    registry.close();
  });

  it('a run made with LABBOOK_DB=postgres://u:secret@… and PGPASSWORD=secret records "secret" nowhere', async () => {
    const dir = tempDir('labbook-cred-');
    const local = join(dir, 'local.db');
    const file = join(ROOT, 'test', 'fixtures', 'experiments', 'nested-config.ts');
    const env = { LABBOOK_DB: 'postgres://u:secret@127.0.0.1:1/team', PGPASSWORD: 'secret', LABBOOK_LOCAL_DB: local };
    const result = await runNode([CLI, 'run', file, '--backend', 'cpu', '--quiet', '--tag', 'who=me'], { env });
    // The run's push to the (unreachable) team store is one line, the URL redacted; the run itself succeeded.
    expect(result.stderr).toMatch(/^labbook: run 1 is recorded locally but not synced yet \(.*postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/team.*\)\. Run `labbook sync` when the team store is back\.\n$/);
    expect(result.code).toBe(0);
    // Recorded locally first (sync pushes later), in LABBOOK_LOCAL_DB, never in a file named after the URL.
    expect(result.stdout).toContain(`registry: ${local}`);
    expect(result.stdout + result.stderr).not.toContain('secret');
    expect(existsSync(join(ROOT, 'postgres:'))).toBe(false);
    const registry = openRegistry({ db: local });
    const run = registry.getRun(1);
    registry.close();
    expect(JSON.stringify(run)).not.toContain('secret');
    for (const name of ['local.db', 'local.db-wal']) {
      if (existsSync(join(dir, name))) expect(readFileSync(join(dir, name)).includes('secret')).toBe(false);
    }
  }, 60_000);
});

describe('least-privilege roles', () => {
  let database: TestDatabase;
  let owner: TeamStore;
  const suffix = `${process.pid}_${Date.now() % 100000}`;
  const reader = `lb_reader_${suffix}`;
  const worker = `lb_worker_${suffix}`;
  const as = (role: string) => {
    const url = new URL(database.url);
    url.username = role;
    url.password = 'pw-for-test';
    return url.toString();
  };

  beforeAll(async () => {
    database = await createTestDatabase('roles');
    owner = await openTeamStore(database.url);
    const path = join(tempDir('labbook-roles-'), 'r.db');
    const registry = openRegistry({ db: path, create: true });
    registry.startRun({ experiment: 'e', config: { lr: 0.1 }, seed: 1 }).log({ acc: 0.5 }, 0).end();
    await mirrorRegistry(registry.db, owner);
    registry.close();
    for (const statement of [...teamRoleSql('reader', reader, database.name, 'pw-for-test'), ...teamRoleSql('worker', worker, database.name, 'pw-for-test')]) {
      await owner.query(statement);
    }
  });

  afterAll(async () => {
    await owner?.close();
    await database?.drop();
    // The grants went with the database; the roles are the cluster's and go now.
    const admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${reader}`);
    await admin.query(`DROP ROLE IF EXISTS ${worker}`);
    await admin.end();
  });

  it('lets the read-only role search and show, and nothing else', async () => {
    const store = await openTeamStore(as(reader));
    try {
      expect((await searchTeamRuns(store, { where: 'config.lr > 0.05' })).map((r) => r.id)).toEqual([1]);
      expect((await getTeamRun(store, 1)).metrics.acc.value).toBe(0.5);
      await expect(store.query("INSERT INTO experiments (name, created_at) VALUES ('x', 0)")).rejects.toThrow(/^The team store refused a statement at postgres:\/\/lb_reader_\w+:\*\*\*@.*permission denied for table experiments/);
      await expect(store.query('UPDATE runs SET name = $1', ['x'])).rejects.toThrow(/permission denied/);
    } finally {
      await store.close();
    }
  });

  it('lets the worker role insert a run, but not DELETE or DROP', async () => {
    const store = await openTeamStore(as(worker));
    try {
      const [{ id: experiment }] = await store.query<{ id: number }>("INSERT INTO experiments (name, created_at) VALUES ('w', 0) RETURNING id");
      const [{ id }] = await store.query<{ id: number }>(
        `INSERT INTO runs (experiment_id, status, seed, config, config_hash, env, host, pid, started_at, heartbeat_at, origin, origin_run_id, synced_at)
         VALUES ($1, 'running', 0, '{}', 'h', '{}', 'w', 1, 0, 0, 'worker-1', 1, 0) RETURNING id`,
        [experiment],
      );
      await store.query("INSERT INTO params (run_id, key, type, num) VALUES ($1, 'lr', 'number', 0.1)", [id]);
      await store.query("UPDATE runs SET status = 'finished', ended_at = 1 WHERE id = $1", [id]);
      await expect(store.query('DELETE FROM runs WHERE id = $1', [id])).rejects.toThrow(/permission denied for table runs/);
      await expect(store.query('DROP TABLE objects')).rejects.toThrow(/must be owner of table objects/);
      await expect(store.query('CREATE TABLE mine (x int)')).rejects.toThrow(/permission denied for schema public/);
      await expect(store.query('DELETE FROM params WHERE run_id = $1', [id])).rejects.toThrow(/permission denied for table params/);
    } finally {
      await store.close();
    }
  });

  it('lets the worker role sync a registry whose tags are set, changed and deleted between syncs', async () => {
    const path = join(tempDir('labbook-roles-'), 'tags.db');
    const registry = openRegistry({ db: path, create: true });
    try {
      const run = registry.startRun({ experiment: 'tagged', config: { lr: 0.1 }, seed: 1, tags: { owner: 'ann', stage: 'dev' } });
      run.log({ acc: 0.5 }, 0);
      run.end();
      const teamTags = async () => {
        const first = await syncToTeam(registry, as(worker));
        expect(first.error).toBeNull();
        expect(first.pending).toEqual([]);
        const rows = await owner.query<{ key: string; value: string }>(
          "SELECT t.key, t.value FROM tags t JOIN runs r ON r.id = t.run_id JOIN experiments e ON e.id = r.experiment_id WHERE e.name = 'tagged' ORDER BY t.key",
        );
        return Object.fromEntries(rows.map((r) => [r.key, r.value]));
      };
      expect(await teamTags()).toEqual({ owner: 'ann', stage: 'dev' });
      registry.setTags(run.id, { stage: 'prod', note: 'x' });
      expect(await teamTags()).toEqual({ owner: 'ann', stage: 'prod', note: 'x' });
      registry.deleteTag(run.id, 'owner');
      registry.deleteTag(run.id, 'note');
      expect(await teamTags()).toEqual({ stage: 'prod' });
    } finally {
      registry.close();
    }
  });

  it('lets a real `labbook worker` as the worker role train and sync a sweep, exit 0', async () => {
    const sweep = join(ROOT, 'test', 'fixtures', 'sweep', 'tiny-sweep.ts');
    const created = await runCli(['sweep', 'create', sweep, '--db', database.url, '--local', tempDb(), '--trials', '2', '--json'], NO_STORE_ENV);
    expect(created.code, created.stderr).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: number };
    const ran = await runCli(['worker', '--sweep', String(id), '--db', as(worker), '--local', tempDb(), '--heartbeat', '2'], NO_STORE_ENV);
    expect(ran.stderr).not.toMatch(/not synced|permission denied|not in the team store/);
    expect(ran.code, ran.stderr).toBe(0);
    const trials = await owner.query<{ state: string; run_id: number | null; synced: string | null }>(
      "SELECT t.state, t.run_id, r.status AS synced FROM trials t LEFT JOIN runs r ON r.id = t.run_id WHERE t.sweep_id = $1 ORDER BY t.number",
      [id],
    );
    expect(trials).toHaveLength(2);
    for (const t of trials) expect(t.run_id !== null && ['finished', 'failed'].includes(t.synced ?? '')).toBe(true);
  }, 120_000);

  it('a `labbook worker` whose trials cannot be synced says so on stderr and exits 1', async () => {
    const sweep = join(ROOT, 'test', 'fixtures', 'sweep', 'tiny-sweep.ts');
    const created = await runCli(['sweep', 'create', sweep, '--db', database.url, '--local', tempDb(), '--trials', '1', '--json'], NO_STORE_ENV);
    expect(created.code, created.stderr).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: number };
    await owner.query(`REVOKE DELETE ON tags FROM ${worker}`);
    try {
      const ran = await runCli(['worker', '--sweep', String(id), '--db', as(worker), '--local', tempDb(), '--heartbeat', '2'], NO_STORE_ENV);
      expect(ran.code, ran.stderr).toBe(1);
      expect(ran.stderr).toMatch(/^labbook: runs [\d, ]+ of this worker are not in the team store at postgres:\/\/lb_worker_\w+:\*\*\*@.*permission denied for table tags.*run `labbook sync --local \S+ --db /m);
      expect(ran.stderr).not.toContain('pw-for-test');
    } finally {
      await owner.query(`GRANT DELETE ON tags TO ${worker}`);
    }
  }, 120_000);

  it('a role lacking INSERT: sync and queries name the privilege, table, role and GRANT, not an outage', async () => {
    await owner.query(`REVOKE INSERT ON params FROM ${worker}`);
    try {
      const path = join(tempDir('labbook-roles-'), 'noinsert.db');
      const registry = openRegistry({ db: path, create: true });
      registry.startRun({ experiment: 'no-insert', config: { lr: 0.2 }, seed: 1 }).end();
      registry.close();
      const result = await syncToTeam(path, as(worker));
      expect(result.error).toMatch(new RegExp(`^The team store refused a statement at postgres://${worker}:\\*\\*\\*@[^ ]+: expected role "${worker}" to hold SELECT, INSERT, UPDATE on table params \\(what sync and workers use there\\), received "permission denied for table params"\\. Use a role that has it \\(the README's role SQL .*teamRoleSql.*\\) or, as the database owner, \`GRANT SELECT, INSERT, UPDATE ON params TO "${worker}"\``));
      expect(result.error).not.toMatch(/Cannot reach|when the team store is back|pw-for-test/);
      const cli = await runCli(['sync', '--local', path, '--db', as(worker)], NO_STORE_ENV);
      expect(cli.code).toBe(1);
      expect(cli.stdout).toMatch(/sync cut short: .*permission denied for table params.*run `labbook sync` again once the role has the privilege named\./);
      expect(cli.stdout).not.toContain('when the team store is back');
      // A statement the store runs itself names the very privilege it lacked.
      const store = await openTeamStore(as(reader));
      try {
        await expect(store.query("INSERT INTO experiments (name, created_at) VALUES ('x', 0)")).rejects.toThrow(
          new RegExp(`expected role "${reader}" to hold INSERT on table experiments, received "permission denied for table experiments"\\. .*GRANT INSERT ON experiments TO "${reader}"`),
        );
      } finally {
        await store.close();
      }
    } finally {
      await owner.query(`GRANT INSERT ON params TO ${worker}`);
    }
  });

  it("the README's role SQL is exactly what teamRoleSql writes", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Team registry (PostgreSQL)'));
    const block = /```sql\n([\s\S]*?)```/.exec(section)![1];
    const statements = block.replace(/--.*$/gm, '').split(';').map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
    const expected = [...teamRoleSql('worker', 'labbook_worker', 'labbook'), ...teamRoleSql('reader', 'labbook_reader', 'labbook')];
    expect(statements).toEqual(expected.map((t) => t.replace(/"/g, '')));
  });
});
