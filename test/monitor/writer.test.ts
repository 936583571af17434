// The monitoring store's writer thread: writes go on while the server's event loop is busy, every sampled request is stored once under concurrent load, and close() awaits the last write.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry, startServer } from '../../kernel-lib/src';
import { MonitorWriter, type Sample } from '../../kernel-lib/src/monitor/store';
import { tempDb } from '../helpers';
import { killServers, post, startServe } from '../serve/server';
import { monitoredRegistry, sampleCount, tableRows } from './fixture';

/** Examples of every kind a server sees: numbers nested evenly, ragged, mixed, text, table rows, -0 and 1e21. */
const EXAMPLES: unknown[][] = [[[0.1, -2.5e-7]], [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], [[1, 2], [3]], [[1, 'a']], ['free money'], [{ a: 1, b: 2 }], [[-0, 1e21, 1 / 3]], [7, 8, 9], [[]], [[0.5, 0.25]]];
const sample = (i: number): Sample => ({ model: 'm', version: 1, at: Date.now(), latencyMs: 1, examples: EXAMPLES[i], predictions: i === 3 ? [['yes', 0.9]] : [[0.5, i]], status: 200, error: null });

describe('the monitoring store writer', () => {
  let db: string;
  beforeAll(async () => {
    db = await monitoredRegistry();
  }, 60_000);
  afterAll(() => killServers());

  it('writes while the event loop is blocked (the writes run on their own thread), and counts them', async () => {
    const store = tempDb();
    openRegistry({ db: store }).close();
    let written = 0;
    // Written at 10 buffered rows; the timer (a minute) never fires here.
    const writer = new MonitorWriter(store, { flushRows: 10, flushMs: 60_000 }, { written: (n) => (written += n), failed: () => {} }, () => {});
    try {
      for (let i = 0; i < 10; i++) writer.record(sample(i));
      // Nothing below yields to the event loop: only another thread can make the rows appear.
      const raw = new Database(store, { readonly: true });
      const pause = new Int32Array(new SharedArrayBuffer(4));
      let rows = 0;
      for (let polls = 0; rows < 10 && polls < 1500; polls++) {
        Atomics.wait(pause, 0, 0, 20);
        rows = (raw.prepare('SELECT count(*) AS n FROM monitor_samples').get() as { n: number }).n;
      }
      expect(rows).toBe(10);
      // Stored as the JSON of what was recorded, whatever its shape.
      const stored = raw.prepare('SELECT examples, input, prediction FROM monitor_samples ORDER BY id').all() as { examples: number; input: string; prediction: string }[];
      raw.close();
      expect(stored).toEqual(Array.from({ length: 10 }, (_, i) => ({ examples: sample(i).examples!.length, input: JSON.stringify(sample(i).examples), prediction: JSON.stringify(sample(i).predictions) })));
    } finally {
      await writer.close();
    }
    expect(written).toBe(10);
  }, 60_000);

  it('stores every sampled request exactly once under concurrent load, flushed by SIGTERM', async () => {
    const before = sampleCount(db, 'rows');
    const server = await startServe(['rows', '--port', '0', '--sample', '0.5', '--db', db]);
    const rows = tableRows(4, 21);
    // 16 clients, 25 requests each: 400 requests, every other one sampled.
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = 0; i < 25; i++) expect((await post(`${server.url}/v1/models/rows:predict`, { instances: rows })).status).toBe(200);
      }),
    );
    server.child.kill('SIGTERM');
    expect((await server.done).code).toBe(0);
    expect(sampleCount(db, 'rows') - before).toBe(200);
  }, 60_000);

  it('close() resolves only once the last sampled requests are in the table', async () => {
    const before = sampleCount(db, 'rows');
    const server = await startServer({ model: 'rows', db, port: 0, monitor: { flushMs: 60_000 }, log: () => {} });
    try {
      for (let i = 0; i < 3; i++) expect((await post(`${server.url}/v1/models/rows:predict`, { instances: tableRows(2, 30 + i) })).status).toBe(200);
    } finally {
      await server.close();
    }
    expect(sampleCount(db, 'rows') - before).toBe(3);
  }, 60_000);
});
