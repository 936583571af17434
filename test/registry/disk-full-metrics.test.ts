import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { collect, type Finished, waitForLine } from '../helpers';
import { mountSmallDisk, type SmallDisk, smallDiskUnavailable } from '../support/tmpfs';
import { checkBothStores, onBothStores, trackRegistry } from '../support/both-stores';

onBothStores();

const CHILD = join(__dirname, '..', 'fixtures', 'disk-full-child.js');
if (smallDiskUnavailable) console.warn(`skipping disk-full metric tests: ${smallDiskUnavailable}`);

/** A child logging into a registry on a small real disk, driven line by line over stdin. */
interface Logger {
  id: number;
  child: ChildProcess;
  done: Promise<Finished>;
  send(command: string, reply?: string): Promise<string>;
}

describe.skipIf(smallDiskUnavailable !== null)('metric points on a full disk (real tmpfs, real processes)', () => {
  let disk: SmallDisk;
  let db: string;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    disk = mountSmallDisk(8 * 1024 * 1024);
    db = trackRegistry(join(disk.dir, 'registry.db'));
  });

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    try {
      await checkBothStores();
    } finally {
      disk.dispose();
    }
  });

  async function startLogger(flushEveryPoints: number, maxBufferedPoints?: number): Promise<Logger> {
    const args = [CHILD, db, String(flushEveryPoints), ...(maxBufferedPoints ? [String(maxBufferedPoints)] : [])];
    const child = spawn(process.execPath, args);
    children.push(child);
    const done = collect(child);
    const id = Number((await waitForLine(child, 'ready')).split(' ')[1]);
    return {
      id,
      child,
      done,
      send(command, reply) {
        const line = reply ? waitForLine(child, reply) : Promise.resolve('');
        child.stdin!.write(`${command}\n`);
        return line;
      },
    };
  }

  const STEPS = 20_000; // 40,000 points: far more than a full disk's leftover WAL space takes

  // Timer only (nothing makes log() write) and log-triggered writes (the default path).
  for (const [how, flushEvery] of [['the timer flush', 10_000_000], ['log() writing every 1,000 points', 1000]] as const) {
    it(`keeps logging through ${how} while the disk is full; once freed, every point arrives and the run finishes`, async () => {
      const logger = await startLogger(flushEvery);
      disk.fill();
      const logged = (await logger.send(`log ${STEPS}`, 'logged')).split(' ');
      expect(logged.slice(1, 3)).toEqual([String(STEPS), '0']); // log() never threw
      disk.free();
      expect(await logger.send('end', 'end')).toBe('ended');
      const result = await logger.done;
      expect(result.code, result.stderr).toBe(0);
      // Told once while it failed, and told that nothing was lost in the end.
      expect(result.stderr.match(/could not write \d+ metric points to .*registry\.db/g)).toHaveLength(1);
      expect(result.stderr).toMatch(/wrote the \d+ buffered metric points after all; none was lost/);

      const registry = openRegistry({ db });
      const run = registry.getRun(logger.id);
      expect(run.status).toBe('finished');
      expect(run.metrics.loss).toMatchObject({ count: STEPS + 10, step: STEPS + 9 });
      expect(registry.sql<{ n: number }>('SELECT count(*) AS n FROM metrics WHERE run_id = ?', logger.id)[0].n).toBe(2 * (STEPS + 10));
      registry.close();
    });
  }

  it('does not end a run `finished` while its points cannot be written: end() throws naming the count and the disk', async () => {
    const logger = await startLogger(1000);
    disk.fill();
    await logger.send(`log ${STEPS}`, 'logged');
    const ended = await logger.send('end', 'end');
    expect(ended).toMatch(/^end-error WRITE_FAILED Run \d+ could not end as finished: expected its \d+ buffered metric points to be written to .*registry\.db \(\d+ bytes free on its disk\), received SQLITE_FULL/);
    expect((await logger.done).code).toBe(0);

    disk.free();
    const registry = openRegistry({ db });
    const run = registry.getRun(logger.id);
    expect(run.status).not.toBe('finished');
    expect(['failed', 'crashed']).toContain(run.status);
    expect(run.metrics.loss.count).toBeLessThan(STEPS + 10);
    registry.close();
  });

  it('does not let a process that exits on a full disk leave a `finished` run; it says what was lost and exits non-zero', async () => {
    const logger = await startLogger(1000);
    disk.fill();
    await logger.send(`log ${STEPS}`, 'logged');
    logger.send('exit');
    const result = await logger.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/labbook: Run \d+ could not end as finished: expected its \d+ buffered metric points to be written/);

    disk.free();
    const registry = openRegistry({ db });
    expect(['failed', 'crashed']).toContain(registry.getRun(logger.id).status);
    registry.close();
  });

  it('writes the points at exit once the disk has room again', async () => {
    const logger = await startLogger(10_000_000);
    disk.fill();
    await logger.send(`log ${STEPS}`, 'logged');
    disk.free();
    logger.send('exit');
    const result = await logger.done;
    expect(result.code, result.stderr).toBe(0);
    const registry = openRegistry({ db });
    const run = registry.getRun(logger.id);
    expect(run.status).toBe('finished');
    expect(run.metrics.loss.count).toBe(STEPS + 10);
    registry.close();
  });

  it('bounds what it keeps in memory: past the cap log() throws, and every point it accepted is written later', async () => {
    const logger = await startLogger(1000, 5000);
    disk.fill();
    const [, ok, errors, ...first] = (await logger.send(`log ${STEPS}`, 'logged')).split(' ');
    expect(Number(errors)).toBeGreaterThan(0);
    expect(first.join(' ')).toMatch(/^Cannot log metrics of run \d+: expected the buffer of unwritten points to drain, received 5000 points \(the limit\) that could not be written to .*registry\.db .*SQLITE_FULL.*Nothing was dropped and this call logged nothing/);
    disk.free();
    expect(await logger.send('end', 'end')).toBe('ended');
    await logger.done;
    const registry = openRegistry({ db });
    const run = registry.getRun(logger.id);
    expect(run.status).toBe('finished');
    expect(run.metrics.loss.count).toBe(Number(ok) + 10);
    registry.close();
  });
});
