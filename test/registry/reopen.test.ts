/** registry.reopenRun: a crashed or killed run carried on by another live process (a resumed sweep's parent); everything else refused. */
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { openRegistry, type Registry } from '../../kernel-lib/src/registry';
import { CHILD, collect, waitForLine } from '../helpers';
import { onBothStores, registryDb } from '../support/both-stores';

onBothStores();

/** A real process that starts a run, logs loss at steps 0..49 and hangs; kill it to interrupt the run. */
async function hangingRun(db: string) {
  const child = spawn(process.execPath, [CHILD, db, 'hang']);
  const done = collect(child);
  const id = Number((await waitForLine(child, 'ready')).split(' ')[1]);
  return { id, pid: child.pid!, kill: async (signal: NodeJS.Signals) => (child.kill(signal), await done) };
}

describe('registry.reopenRun', () => {
  let registry: Registry | null = null;
  afterEach(() => {
    registry?.close();
    registry = null;
  });

  it('reopens a crashed run for this process: running with our host and pid, end and error cleared and kept in tags; steps go on', async () => {
    const db = registryDb();
    const child = await hangingRun(db);
    registry = openRegistry({ db });
    // Its process is alive (in another process): not ours to take.
    expect(() => registry!.reopenRun(child.id)).toThrow(
      new RegExp(`^Cannot reopen run ${child.id}: expected a crashed or killed run, received one running in a live process \\(${child.pid} on ${hostname()}\\)\\. Wait for it to end, or stop its process first\\.$`),
    );
    expect((await child.kill('SIGKILL')).signal).toBe('SIGKILL');
    const crashed = registry.getRun(child.id);
    expect(crashed.status).toBe('crashed');

    const before = Date.now();
    const run = registry.reopenRun(child.id);
    expect(run).toMatchObject({ id: child.id, experiment: 'child-hang', seed: 1, status: 'running', parent: null });
    const reopened = registry.getRun(child.id);
    expect(reopened).toMatchObject({ status: 'running', host: hostname(), pid: process.pid, endedAt: null, error: null, startedAt: crashed.startedAt });
    expect(reopened.heartbeatAt).toBeGreaterThanOrEqual(before);
    expect(reopened.tags['labbook.reopened']).toBe('1');
    expect(reopened.tags['labbook.reopened.1']).toBe(`crashed at ${new Date(crashed.endedAt!).toISOString()}: ${crashed.error}`);
    expect(crashed.error).toMatch(new RegExp(`^Process ${child.pid} on .* stopped without ending the run`));
    // A second opening of the registry (another reader) does not take it for crashed: this process is alive.
    const reader = openRegistry({ db });
    expect(reader.getRun(child.id).status).toBe('running');
    reader.close();

    run.log({ loss: -1, fresh: 7 }); // loss had steps 0..49: the next is 50
    run.end('finished');
    const ended = registry.getRun(child.id);
    expect(ended).toMatchObject({ status: 'finished', error: null });
    expect(ended.metrics.loss).toMatchObject({ count: 51, step: 50, value: -1 });
    expect(ended.metrics.fresh).toMatchObject({ count: 1, step: 0 });

    expect(() => registry!.reopenRun(child.id)).toThrow(
      `Cannot reopen run ${child.id}: expected a crashed or killed run (interrupted before it ended), received one its process ended as finished. Start a new run to record more.`,
    );
  });

  it('reopens a killed run, refuses a second claim while it is open, and counts each reopening', async () => {
    const db = registryDb();
    const child = await hangingRun(db);
    expect((await child.kill('SIGTERM')).signal).toBe('SIGTERM');
    registry = openRegistry({ db });
    const killed = registry.getRun(child.id);
    expect(killed).toMatchObject({ status: 'killed', error: 'Received SIGTERM.' });

    const first = registry.reopenRun(child.id);
    expect(() => registry!.reopenRun(child.id)).toThrow(new RegExp(`received one running in a live process \\(${process.pid} on `));
    first.end('killed', 'Stopped again.');
    const again = registry.getRun(child.id);
    registry.reopenRun(child.id).end('finished');
    const tags = registry.getRun(child.id).tags;
    expect(tags['labbook.reopened']).toBe('2');
    expect(tags['labbook.reopened.1']).toBe(`killed at ${new Date(killed.endedAt!).toISOString()}: Received SIGTERM.`);
    expect(tags['labbook.reopened.2']).toBe(`killed at ${new Date(again.endedAt!).toISOString()}: Stopped again.`);
  });

  it('refuses a failed run, a finished one and an unknown id, changing nothing', () => {
    registry = openRegistry({ db: registryDb() });
    const failed = registry.startRun({ experiment: 'plain' });
    failed.fail(new Error('wrong on purpose'));
    const finished = registry.startRun({ experiment: 'plain' });
    finished.end();
    expect(() => registry!.reopenRun(failed.id)).toThrow(
      `Cannot reopen run ${failed.id}: expected a crashed or killed run (interrupted before it ended), received one its process ended as failed. Start a new run to record more.`,
    );
    expect(() => registry!.reopenRun(finished.id)).toThrow(/received one its process ended as finished/);
    expect(() => registry!.reopenRun(99)).toThrow(/^No run with id 99 in this registry: expected the id of a recorded run\./);
    expect(() => registry!.reopenRun(0)).toThrow(/Invalid value for `run id`: expected a positive integer, received 0/);
    for (const run of [registry.getRun(failed.id), registry.getRun(finished.id)]) {
      expect(run.tags['labbook.reopened']).toBeUndefined();
      expect(run.endedAt).not.toBeNull();
    }
    expect(registry.getRun(failed.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('wrong on purpose') });
    expect(registry.getRun(finished.id).status).toBe('finished');
  });
});
