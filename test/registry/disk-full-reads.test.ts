import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHILD, collect, runCli, runNode, waitForLine } from '../helpers';
import { mountSmallDisk, type SmallDisk, smallDiskUnavailable } from '../support/tmpfs';
import { checkBothStores, onBothStores, trackRegistry } from '../support/both-stores';

onBothStores();

if (smallDiskUnavailable) console.warn(`skipping disk-full read tests: ${smallDiskUnavailable}`);

/** How the registry's disk is left before reading: each is a real state a user meets. */
const STATES: [string, (disk: SmallDisk, db: string) => void][] = [
  // The killed writer left its -wal and -shm behind; the disk then filled up.
  ['full, as the killed writer left it', (disk) => disk.fill()],
  // Closed cleanly (no -wal/-shm): reading must first make a 32 KiB shared index, with no space.
  [
    'full, after a clean close',
    (disk, db) => {
      closeCleanly(db);
      disk.fill();
    },
  ],
  [
    'mounted read-only',
    (disk, db) => {
      closeCleanly(db);
      execFileSync('mount', ['-o', 'remount,ro', disk.dir], { stdio: 'pipe' });
    },
  ],
];

/** The last connection to close checkpoints the WAL and removes the -wal and -shm files. */
function closeCleanly(db: string): void {
  const raw = new Database(db);
  raw.prepare('SELECT count(*) FROM runs').get();
  raw.close();
  expect(existsSync(`${db}-shm`)).toBe(false);
}

describe.skipIf(smallDiskUnavailable !== null)('reading a registry whose disk cannot be written (real tmpfs, real CLI)', () => {
  let disk: SmallDisk;
  let db: string;
  let finishedId: number;
  let deadId: number;

  beforeEach(async () => {
    disk = mountSmallDisk(4 * 1024 * 1024);
    db = trackRegistry(join(disk.dir, 'registry.db'));
    const finished = await runNode([CHILD, db, 'log', '200']);
    expect(finished.code, finished.stderr).toBe(0);
    finishedId = Number(finished.stdout.trim());
    // A run whose process dies without a word: the read would mark it crashed, which writes.
    const child = spawn(process.execPath, [CHILD, db, 'hang']);
    const done = collect(child);
    deadId = Number((await waitForLine(child, 'ready')).split(' ')[1]);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
  });

  afterEach(async () => {
    try {
      await checkBothStores();
    } finally {
      disk.dispose();
    }
  });

  for (const [state, prepare] of STATES) {
    it(`lists, shows, queries and exports when the disk is ${state}`, async () => {
      prepare(disk, db);

      const runs = await runCli(['runs', '--db', db, '--json']);
      expect(runs.code, runs.stderr).toBe(0);
      const listed = JSON.parse(runs.stdout) as { id: number; status: string }[];
      expect(listed.map((r) => r.id).sort()).toEqual([finishedId, deadId].sort());
      expect(listed.find((r) => r.id === finishedId)?.status).toBe('finished');
      // The dead run could not be marked crashed without writing: it is reported, not a failure.
      if (listed.find((r) => r.id === deadId)?.status === 'running') expect(runs.stderr).toMatch(/could not be marked crashed/);

      const show = await runCli(['show', String(finishedId), '--db', db, '--json']);
      expect(show.code, show.stderr).toBe(0);
      expect(JSON.parse(show.stdout)).toMatchObject({ id: finishedId, status: 'finished', metricStats: { loss: { count: 200 } } });

      const sql = await runCli(['sql', 'SELECT count(*) AS n FROM metrics', '--db', db, '--json']);
      expect(sql.code, sql.stderr).toBe(0);
      expect(JSON.parse(sql.stdout)).toEqual([{ n: 2 * 200 + 50 }]);

      const csv = await runCli(['export', '--format', 'csv', '--db', db]);
      expect(csv.code, csv.stderr).toBe(0);
      const lines = csv.stdout.trim().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^id,/);
    });
  }
});
