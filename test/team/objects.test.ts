/** The team store's object store: content-addressed, idempotent, and checked on every read. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTeamStore, type TeamStore } from '../../kernel-lib/src/team/connect';
import { getObject, hasObjects, putObject } from '../../kernel-lib/src/team/objects';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

let database: TestDatabase;
let store: TeamStore;

beforeAll(async () => {
  database = await createTestDatabase('objects');
  store = await openTeamStore(database.url);
});

afterAll(async () => {
  await store?.close();
  await database?.drop();
});

describe('object store', () => {
  it('round-trips bytes under their sha256, once however often they are put', async () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
    const sha = await putObject(store, bytes);
    expect(sha).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await putObject(store, bytes)).toBe(sha);
    expect(await putObject(store, new Uint8Array(bytes))).toBe(sha);
    expect([...(await getObject(store, sha))]).toEqual([...bytes]);
    const [{ n }] = await store.query<{ n: string }>('SELECT count(*)::int AS n FROM objects');
    expect(n).toBe(1);
    const empty = await putObject(store, new Uint8Array(0));
    expect((await getObject(store, empty)).length).toBe(0);
  });

  it('says which objects it holds', async () => {
    const a = await putObject(store, Buffer.from('a'));
    const missing = 'f'.repeat(64);
    expect(await hasObjects(store, [a, missing, a])).toEqual(new Set([a]));
    expect(await hasObjects(store, [])).toEqual(new Set());
    await expect(hasObjects(store, ['nothex'])).rejects.toThrow(/Invalid value for `sha256`: expected a SHA-256 as 64 lowercase hex digits/);
  });

  it('refuses bytes changed behind its back, naming the object', async () => {
    const sha = await putObject(store, Buffer.from('the original checkpoint'));
    await store.query("UPDATE objects SET bytes = convert_to('a damaged checkpoint', 'UTF8') WHERE sha256 = $1", [sha]);
    await expect(getObject(store, sha)).rejects.toThrow(new RegExp(`^Object ${sha} in the team store postgres://labbook_test:\\*\\*\\*@.* is damaged: expected bytes hashing to ${sha}, received 20 bytes hashing to [0-9a-f]{64}\\.`));
  });

  it('names an object it does not have', async () => {
    await expect(getObject(store, '0'.repeat(64))).rejects.toThrow(/^No object 0{64} in the team store .*Run `labbook sync`/);
  });
});
