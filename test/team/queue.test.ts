/** The sweep queue on a real PostgreSQL with real worker processes: exactly-once completion, re-queue of lost trials, refused late completions, seeded TPE. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamSweep, getTeamSweep, listTrials, proposalOf } from '../../kernel-lib/src/team/queue';
import { tpeSampler } from '../../kernel-lib/src/sweep/tpe';
import type { Trial } from '../../kernel-lib/src/sweep/trial';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { migrate, SPACE } from '../fixtures/queue/db';
import { completions, pollUntil, range, startWorker, trialRows, type WorkerProcess } from '../fixtures/queue/spawn';

let db: TestDatabase;
let pool: pg.Pool;
const started: WorkerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase('queue');
  await migrate(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});

afterAll(async () => {
  for (const w of started) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(started.map((w) => w.exited.catch(() => undefined)));
  await pool?.end();
  await db?.drop();
});

function worker(sweepId: number, options: Record<string, unknown> = {}): WorkerProcess {
  const w = startWorker(db.url, sweepId, { heartbeatMs: 100, staleAfterMs: 1000, ...options });
  started.push(w);
  return w;
}

const sweep = (trials: number, maxAttempts = 3, sampler: unknown = { name: 'tpe', options: { startupTrials: 5 } }) =>
  createTeamSweep(pool, { experiment: 'quadratic', definition: { space: SPACE, sampler, direction: 'minimize', trials } as never, seed: 7, maxAttempts });

async function finish(workers: WorkerProcess[]): Promise<void> {
  for (const w of workers) {
    const f = await w.exited;
    expect(f.code, f.stderr).toBe(0);
  }
}

describe('sweep queue with worker processes', () => {
  it('8 workers on one sweep of 40 trials complete every trial number exactly once', async () => {
    const id = await sweep(40);
    // Generous heartbeats: on two loaded cores a worker must not be judged lost for being slow.
    const workers = range(8).map(() => worker(id, { staleAfterMs: 5000, stepMs: 10 }));
    await finish(workers);
    expect(completions(workers)).toEqual(range(40));
    const rows = await trialRows(pool, id);
    expect(rows.map((r) => r.number)).toEqual(range(40));
    expect(rows.every((r) => r.state === 'complete' && typeof r.value === 'number')).toBe(true);
    expect(new Set(rows.map((r) => r.worker)).size).toBeGreaterThan(1);
    expect((await getTeamSweep(pool, id)).status).toBe('done');
    // Every worker reported its intermediate values; another worker's pruner reads them from here.
    expect((await listTrials(pool, id)).every((t) => t.intermediate.length === 3)).toBe(true);
  });

  it('a worker killed mid-trial: its trial is re-queued after staleAfterMs and finished by another (attempt 2)', async () => {
    const id = await sweep(6);
    const victim = worker(id, { worker: 'victim', stepMs: 60_000 });
    await victim.waitFor('claimed 0 attempt 1');
    victim.child.kill('SIGKILL');
    const others = [worker(id), worker(id)];
    await finish(others);
    const rows = await trialRows(pool, id);
    expect(rows.map((r) => r.state)).toEqual(Array(6).fill('complete'));
    expect(rows[0]).toMatchObject({ attempts: 2 });
    expect(rows[0].worker).not.toBe('victim');
    expect(completions(others)).toEqual(range(6));
  });

  it('a trial whose workers were lost max_attempts times fails with the reason, and the sweep still completes', async () => {
    const id = await sweep(3, 1);
    const victim = worker(id, { worker: 'victim', stepMs: 60_000 });
    await victim.waitFor('claimed 0 attempt 1');
    victim.child.kill('SIGKILL');
    const other = worker(id);
    await finish([other]);
    const rows = await trialRows(pool, id);
    expect(rows[0]).toMatchObject({ state: 'failed', reason: 'worker lost 1 time', attempts: 1 });
    expect(rows.slice(1).map((r) => r.state)).toEqual(['complete', 'complete']);
    expect((await getTeamSweep(pool, id)).status).toBe('done');
  });

  it('a stopped worker whose trial was re-queued and completed elsewhere has its late completion refused', async () => {
    const id = await sweep(2);
    const sleeper = worker(id, { worker: 'sleeper', stepMs: 400 });
    await sleeper.waitFor('claimed 0 attempt 1');
    sleeper.child.kill('SIGSTOP');
    const other = worker(id, { worker: 'other', staleAfterMs: 800 });
    await pollUntil(() => trialRows(pool, id), (rows) => rows[0]?.state === 'complete', 'trial 0 completed by the other worker');
    sleeper.child.kill('SIGCONT');
    await finish([sleeper, other]);
    expect(sleeper.lines).toContain('refused 0 attempt 1');
    expect(sleeper.lines).toContain('duplicate 0 attempt 1');
    expect(completions([sleeper, other])).toEqual([0, 1]);
    const rows = await trialRows(pool, id);
    expect(rows[0]).toMatchObject({ state: 'complete', worker: 'other', attempts: 2 });
  });

  it('SIGTERM hands the running trial back to the queue, not counted as a lost attempt', async () => {
    const id = await sweep(2);
    const w = worker(id, { stepMs: 200, steps: 1000 });
    await w.waitFor('claimed 0 attempt 1');
    w.child.kill('SIGTERM');
    await finish([w]);
    expect(w.lines).toContain('released 0');
    expect((await trialRows(pool, id))[0]).toMatchObject({ state: 'queued', attempts: 0, worker: null });
  });

  it('one worker with the same seed proposes the same sequence of params as the pure TPE sampler in-process', async () => {
    const id = await sweep(12, 3, { name: 'tpe', options: { startupTrials: 4 } });
    await finish([worker(id, { steps: 1, stepMs: 1 })]);
    const queued = await listTrials(pool, id);
    const sampler = tpeSampler({ startupTrials: 4 });
    const trials: Trial[] = [];
    for (const number of range(12)) {
      const params = sampler.propose({ space: SPACE, seed: 7, number, trials, direction: 'minimize' }) as { x: number; y: number };
      trials.push({ number, params, state: 'complete', value: (params.x - 2) ** 2 + (params.y + 1) ** 2, intermediate: [] });
    }
    expect(queued.map((t) => t.params)).toEqual(trials.map((t) => t.params));
    // Any trial re-runs from what was recorded: its seed and the trial list it was proposed from.
    const input = await proposalOf(pool, id, 9);
    expect(input.trials.map((t) => t.number)).toEqual(range(9));
    expect(sampler.propose({ space: SPACE, direction: 'minimize', ...input })).toEqual(queued[9].params);
  });
});
