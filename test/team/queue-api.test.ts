/** The queue's calls in-process on a real PostgreSQL: claims, idempotent completion, heartbeats merging values, budgets, stopped sweeps, argument errors. */
import { hostname } from 'node:os';
import { describe, expect, it, onTestFinished } from 'vitest';
import { claimTrial, completeTrial, createTeamSweep, heartbeat, listTrials, openSweepRun, planFromDefinition, proposalOf, runWorker, stopSweep, WAIT, type Claim } from '../../kernel-lib/src/team/queue';
import { openRegistry } from '../../kernel-lib/src/registry';
import { openTeamStore } from '../../kernel-lib/src/team/connect';
import { getTeamRun } from '../../kernel-lib/src/team/read';
import { syncToTeam } from '../../kernel-lib/src/team/sync';
import { tempDb } from '../helpers';
import { tpeSampler } from '../../kernel-lib/src/sweep/tpe';
import { SPACE } from '../fixtures/queue/db';
import { useQueueDatabase } from '../fixtures/queue/setup';

const team = useQueueDatabase('queue_api', { max: 3 });

const definition = { space: SPACE, sampler: 'random', trials: 2 } as never;
const newSweep = () => createTeamSweep(team.pool, { experiment: 'quadratic', definition, seed: 1, maxAttempts: 2 });
const options = () => ({ ...planFromDefinition(definition, 1), staleAfterMs: 60_000 });

describe('queue calls', () => {
  it('claims trials in order, waits while the last ones run, and ends the sweep when all are done', async () => {
    const id = await newSweep();
    const a = (await claimTrial(team.pool, id, 'a', options())) as Claim;
    const b = (await claimTrial(team.pool, id, 'b', options())) as Claim;
    expect([a.number, a.attempt, b.number]).toEqual([0, 1, 1]);
    expect(await claimTrial(team.pool, id, 'c', options())).toBe(WAIT);
    expect(await completeTrial(team.pool, a, 'a', { state: 'complete', value: 1 })).toBe(true);
    expect(await completeTrial(team.pool, b, 'b', { state: 'pruned', reason: 'median' })).toBe(true);
    expect(await claimTrial(team.pool, id, 'c', options())).toBeNull();
    const trials = await listTrials(team.pool, id);
    expect(trials.map((t) => [t.state, t.value, t.reason])).toEqual([['complete', 1, null], ['pruned', null, 'median']]);
  });

  it('a completion retried after it committed is accepted again; another worker or attempt is refused and changes nothing', async () => {
    const id = await newSweep();
    const claim = (await claimTrial(team.pool, id, 'a', options())) as Claim;
    expect(await completeTrial(team.pool, claim, 'b', { state: 'complete', value: 5 })).toBe(false);
    expect(await completeTrial(team.pool, { ...claim, attempt: 2 }, 'a', { state: 'complete', value: 5 })).toBe(false);
    expect(await completeTrial(team.pool, claim, 'a', { state: 'complete', value: 3 })).toBe(true);
    expect(await completeTrial(team.pool, claim, 'a', { state: 'complete', value: 3 })).toBe(true);
    expect((await listTrials(team.pool, id))[0].value).toBe(3);
  });

  it('heartbeats append intermediate values, a repeated step replacing the stored one; a lost claim gets false', async () => {
    const id = await newSweep();
    const claim = (await claimTrial(team.pool, id, 'a', options())) as Claim;
    expect(await heartbeat(team.pool, claim, 'a', [{ step: 0, value: 4 }, { step: 1, value: 3 }])).toBe(true);
    expect(await heartbeat(team.pool, claim, 'a', [{ step: 1, value: 3 }, { step: 2, value: 2 }])).toBe(true);
    expect(await heartbeat(team.pool, claim, 'someone else')).toBe(false);
    expect((await listTrials(team.pool, id))[0].intermediate).toEqual([{ step: 0, value: 4 }, { step: 1, value: 3 }, { step: 2, value: 2 }]);
  });

  it('records the trial list each trial was proposed from: proposalOf re-runs a parallel proposal exactly after the others moved on', async () => {
    const tpe = { space: SPACE, sampler: { name: 'tpe', options: { startupTrials: 0 } }, trials: 3 } as never;
    const id = await createTeamSweep(team.pool, { experiment: 'quadratic', definition: tpe, seed: 5, maxAttempts: 2 });
    const opts = { ...planFromDefinition(tpe, 5), staleAfterMs: 60_000 };
    const first = (await claimTrial(team.pool, id, 'a', opts)) as Claim;
    const second = (await claimTrial(team.pool, id, 'b', opts)) as Claim;
    await completeTrial(team.pool, first, 'a', { state: 'pruned', intermediate: [{ step: 0, value: 9 }, { step: 1, value: 8 }] });
    await heartbeat(team.pool, second, 'b', [{ step: 0, value: 4 }]);
    const third = (await claimTrial(team.pool, id, 'a', opts)) as Claim;
    // Trial 1 goes on after trial 2 was proposed: more values, then complete.
    await completeTrial(team.pool, second, 'b', { state: 'complete', value: 2, intermediate: [{ step: 1, value: 3 }] });
    const input = await proposalOf(team.pool, id, 2);
    expect(input.trials.map((t) => [t.number, t.state, t.value, t.intermediate.length])).toEqual([[0, 'pruned', null, 2], [1, 'running', null, 1]]);
    expect(tpeSampler({ startupTrials: 0 }).propose({ space: SPACE, direction: 'minimize', ...input })).toEqual(third.params);
  });

  it("the sweep's run follows the sweep: running while it is open, then finished with best_value and the best trial's run, as runSweep's parent", async () => {
    const registry = openRegistry({ db: tempDb() });
    try {
      const parent = registry.startRun({ experiment: 'sweep:quadratic', seed: 1 });
      parent.end();
      const runs = [0, 1].map((i) => registry.startRun({ experiment: 'quadratic', seed: 1, name: `trial ${i}` }));
      for (const run of runs) run.end();
      expect((await syncToTeam(registry, team.db.url)).error).toBeNull();
    } finally {
      registry.close();
    }
    const teamIds = (await team.pool.query('SELECT id FROM runs ORDER BY id DESC LIMIT 3')).rows.map((r) => Number(r.id)).reverse();
    const id = await createTeamSweep(team.pool, { experiment: 'quadratic', definition, seed: 1, maxAttempts: 2, runId: teamIds[0] });
    await openSweepRun(team.pool, id);
    const store = await openTeamStore(team.db.url, { max: 1 });
    onTestFinished(() => store.close());
    expect(await getTeamRun(store, teamIds[0])).toMatchObject({ status: 'running', endedAt: null });
    const a = (await claimTrial(team.pool, id, 'a', options())) as Claim;
    const b = (await claimTrial(team.pool, id, 'b', options())) as Claim;
    await completeTrial(team.pool, a, 'a', { state: 'complete', value: 4, runId: teamIds[1] });
    await completeTrial(team.pool, b, 'b', { state: 'complete', value: 2.5, runId: teamIds[2] });
    expect(await claimTrial(team.pool, id, 'a', options())).toBeNull();
    const done = await getTeamRun(store, teamIds[0]);
    expect(done).toMatchObject({ status: 'finished', metrics: { best_value: { value: 2.5, step: 0, count: 1 } }, tags: { 'sweep.best_trial': '1', 'sweep.best_run': String(teamIds[2]), 'sweep.stopped': 'budget: 2 trials' } });
    expect(done.endedAt).toBeGreaterThanOrEqual(done.startedAt);
    // A stopped sweep's run ends too, with the best so far and why it stopped.
    const other = await createTeamSweep(team.pool, { experiment: 'quadratic', definition, seed: 1, maxAttempts: 2, runId: teamIds[0] });
    await openSweepRun(team.pool, other);
    await stopSweep(team.pool, other);
    expect(await getTeamRun(store, teamIds[0])).toMatchObject({ status: 'finished', tags: { 'sweep.stopped': 'stopped by labbook sweep stop' } });
  });

  it("a trial completed while its run could not be synced gets the run linked by the later sync; a refused attempt's run never", async () => {
    const id = await createTeamSweep(team.pool, { experiment: 'quadratic', definition, seed: 1, maxAttempts: 2 });
    const me = `${hostname()}:${process.pid}`;
    const claim = (await claimTrial(team.pool, id, me, options())) as Claim;
    await completeTrial(team.pool, claim, me, { state: 'complete', value: 1 }); // the outage: no run id
    const registry = openRegistry({ db: tempDb() });
    try {
      const standIn = registry.startRun({ experiment: 'sweep:quadratic', seed: 1, tags: { 'sweep.team_sweep': String(id) } });
      const late = registry.startRun({ experiment: 'quadratic', seed: 1, parentId: standIn.id, tags: { 'sweep.trial': '0', 'sweep.duplicate_attempt': 'attempt 2 did not count' } });
      late.end();
      await syncToTeam(registry, team.db.url, { runIds: [late.id] });
      expect((await listTrials(team.pool, id))[0].runId).toBeNull();
      const run = registry.startRun({ experiment: 'quadratic', seed: 1, parentId: standIn.id, tags: { 'sweep.trial': '0' } });
      run.end();
      expect((await syncToTeam(registry, team.db.url, { runIds: [run.id] })).error).toBeNull();
      const teamId = Number((await team.pool.query('SELECT id FROM runs WHERE origin_run_id = $1 ORDER BY id DESC LIMIT 1', [run.id])).rows[0].id);
      expect((await listTrials(team.pool, id))[0].runId).toBe(teamId);
    } finally {
      registry.close();
    }
  });

  it('a stopped sweep gives no more claims; an unknown sweep is named in the error', async () => {
    const id = await newSweep();
    await stopSweep(team.pool, id);
    expect(await claimTrial(team.pool, id, 'a', options())).toBeNull();
    await expect(claimTrial(team.pool, 999_999, 'a', options())).rejects.toThrow('No such sweep: expected the id of a sweep in the team store, received 999999.');
  });

  it("reads defineSweep's definition (budget, objective direction) and refuses a sweep without a budget", () => {
    const plan = planFromDefinition({ space: SPACE, sampler: { name: 'tpe', options: {} }, objective: { direction: 'maximize' }, budget: { trials: null, timeS: 60 } } as never, 1);
    expect(plan.budget).toEqual({ timeMs: 60_000 });
    expect(() => planFromDefinition({ space: SPACE, sampler: 'random' } as never, 1)).toThrow('Invalid value for `trials`: expected a budget');
  });

  it('refuses a heartbeat limit a live worker could not keep', async () => {
    await expect(runWorker({ pool: team.pool, sweepId: 1, trial: async () => ({ state: 'complete', value: 0 }), heartbeatMs: 1000, staleAfterMs: 500 })).rejects.toThrow(
      'Invalid value for `staleAfterMs`: expected more than heartbeatMs (1000), received 500.',
    );
  });
});
