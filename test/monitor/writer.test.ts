// The monitoring store's writer thread: writes go on while the server's event loop is busy, every sampled request is stored once under concurrent load, and close() awaits the last write.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry, startServer } from '../../kernel-lib/src';
import { MonitorWriter, type Sample } from '../../kernel-lib/src/monitor/store';
import { tempDb } from '../helpers';
import { killServers, post, startServe } from '../serve/server';
import { monitoredRegistry, sampleCount, tableRows } from './fixture';

const sample = (i: number): Sample => ({ model: 'm', version: 1, at: Date.now(), latencyMs: 1, examples: [[i, i + 1]], predictions: [[0.5]], status: 200, error: null });

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
      raw.close();
      expect(rows).toBe(10);
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
