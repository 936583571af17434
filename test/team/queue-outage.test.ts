/** The sweep queue through a database outage: a private PostgreSQL stopped mid-sweep and started again; the sweep completes, every trial exactly once. */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTeamSweep, getTeamSweep } from '../../kernel-lib/src/team/queue';
import { migrate, SPACE } from '../fixtures/queue/db';
import { completions, pollUntil, range, startWorker, type WorkerProcess } from '../fixtures/queue/spawn';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';

let server: PrivatePostgres;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  server = await startPrivatePostgres();
  await migrate(server.url);
});

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  server?.dispose();
});

// One short-lived connection per read: a pool kept open would only see the outage as errors.
async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

it('workers carry on when PostgreSQL is stopped mid-sweep and started again: every trial completes exactly once', async () => {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const id = await createTeamSweep(client as never, { experiment: 'quadratic', definition: { space: SPACE, sampler: 'random', trials: 24 } as never, seed: 3, maxAttempts: 3 });
  await client.end();
  for (const _ of range(4)) workers.push(startWorker(server.url, id, { heartbeatMs: 100, staleAfterMs: 3000, stepMs: 40 }));
  const count = () => query<{ n: string }>(`SELECT count(*) AS n FROM trials WHERE sweep_id = $1 AND state = 'complete'`, [id]).then((r) => Number(r[0].n));
  const before = await pollUntil(count, (n) => n >= 6, '6 completed trials');
  server.stop();
  await new Promise((r) => setTimeout(r, 1500));
  server.start();
  for (const w of workers) {
    const f = await w.exited;
    expect(f.code, f.stderr).toBe(0);
  }
  expect(before).toBeLessThan(24);
  expect(workers.some((w) => w.lines.some((l) => l.startsWith('database unreachable')))).toBe(true);
  expect(completions(workers)).toEqual(range(24));
  const rows = await query<{ number: number; state: string }>('SELECT number, state FROM trials WHERE sweep_id = $1 ORDER BY number', [id]);
  expect(rows).toEqual(range(24).map((number) => ({ number, state: 'complete' })));
  const pool = new pg.Pool({ connectionString: server.url });
  expect((await getTeamSweep(pool, id)).status).toBe('done');
  await pool.end();
});
