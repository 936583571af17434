/** Opening the team store: its connection settings, and failures that say what to fix without the password. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTeamStore } from '../../kernel-lib/src/team/connect';
import { isPostgresUrl } from '../../kernel-lib/src/team/url';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('store');
});

afterAll(async () => {
  await database?.drop();
});

const withPassword = (url: string, password: string) => {
  const u = new URL(url);
  u.password = password;
  return u.toString();
};

describe('openTeamStore', () => {
  it('recognises postgres:// and postgresql:// URLs, nothing else', () => {
    expect(isPostgresUrl('postgres://u@h/db')).toBe(true);
    expect(isPostgresUrl('PostgreSQL://u@h/db')).toBe(true);
    expect(isPostgresUrl('./postgres/registry.db')).toBe(false);
    expect(isPostgresUrl(undefined)).toBe(false);
  });

  it("names itself 'labbook' to the server and cancels statements past its timeout", async () => {
    const store = await openTeamStore(database.url, { statementTimeoutMs: 200 });
    try {
      const [row] = await store.query<{ app: string; timeout: string }>("SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS timeout");
      expect(row).toEqual({ app: 'labbook', timeout: '200ms' });
      await expect(store.query('SELECT pg_sleep(5)')).rejects.toThrow(/^A team store query ran past the statement timeout at postgres:\/\/labbook_test:\*\*\*@/);
      // BIGINT columns come back as numbers, as SQLite's integers do.
      expect((await store.query<{ n: unknown }>('SELECT 9007199254740991::bigint AS n'))[0].n).toBe(9007199254740991);
    } finally {
      await store.close();
    }
  });

  it('refuses a wrong password with the fix, showing the URL without it', async () => {
    const attempt = openTeamStore(withPassword(database.url, 'not-the-password'));
    await expect(attempt).rejects.toThrow(/^The team store refused the login at postgres:\/\/labbook_test:\*\*\*@[^ ]+: expected a role and password it accepts, received "password authentication failed for user "labbook_test""\. Check the user/);
    await expect(attempt).rejects.not.toThrow(/not-the-password/);
  });

  it('names a missing database and how to create it', async () => {
    const url = new URL(database.url);
    url.pathname = '/lb_no_such_database';
    await expect(openTeamStore(url.toString())).rejects.toThrow(/^The team store has no such database at .*: expected an existing database, received "database "lb_no_such_database" does not exist"\. Create it \(createdb NAME/);
  });

  it('names an unreachable server, and keeps the password out', async () => {
    const attempt = openTeamStore('postgres://u:hunter2@127.0.0.1:1/labbook');
    await expect(attempt).rejects.toMatchObject({ code: 'TEAM_STORE' });
    await expect(attempt).rejects.toThrow(/^Cannot reach the team store at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/labbook: expected a PostgreSQL server accepting connections, received "connect ECONNREFUSED 127\.0\.0\.1:1"\. Check the host and port/);
    await expect(attempt).rejects.not.toThrow(/hunter2/);
  });

  it('refuses what is not a PostgreSQL URL, redacted', async () => {
    await expect(openTeamStore('mysql://u:hunter2@h/db')).rejects.toThrow('Invalid value for `url`: expected a PostgreSQL URL such as postgres://user@host:5432/labbook, received "mysql://u:***@h/db".');
  });
});
