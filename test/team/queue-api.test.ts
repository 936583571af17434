/** The queue's calls in-process on a real PostgreSQL: claims, idempotent completion, heartbeats merging values, budgets, stopped sweeps, argument errors. */
import { describe, expect, it } from 'vitest';
import { claimTrial, completeTrial, createTeamSweep, heartbeat, listTrials, planFromDefinition, proposalOf, runWorker, stopSweep, WAIT, type Claim } from '../../kernel-lib/src/team/queue';
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
