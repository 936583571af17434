// `labbook serve` sampling into the monitoring store and `labbook monitor` reading it: drift flagged on a shifted feature only, sampling, shutdown and kill -9, mistakes.
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitor } from '../../kernel-lib/src';
import { expectMistakes, runCli } from '../helpers';
import { killServers, post, startServe } from '../serve/server';
import { monitoredRegistry, sampleCount, tableRows, waitForSamples } from './fixture';

/** Ten requests of `per` rows each. */
async function send(url: string, rows: object[], per = 10): Promise<void> {
  for (let i = 0; i < rows.length; i += per) {
    const res = await post(`${url}/v1/models/rows:predict`, { instances: rows.slice(i, i + per) });
    expect(res.status).toBe(200);
  }
}

describe('monitoring a served model', () => {
  let db: string;
  beforeAll(async () => {
    db = await monitoredRegistry();
  }, 60_000);
  afterAll(() => killServers());

  it('flags drift on the shifted feature only, and none on in-distribution traffic; --fail-on-alert exits 3', async () => {
    const server = await startServe(['rows', '--port', '0', '--db', db]);
    await send(server.url, tableRows(120, 7));
    await waitForSamples(db, 'rows', 12);
    const between = new Date(Date.now() + 1).toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await send(server.url, tableRows(120, 8, 3));
    server.child.kill('SIGTERM');
    expect((await server.done).code).toBe(0);
    expect(sampleCount(db, 'rows')).toBe(24);

    // A generous p99 limit: a loaded test machine must not raise a latency alert here.
    const calm = await runCli(['monitor', 'rows', '--until', between, '--max-p99-ms', '60000', '--json', '--fail-on-alert', '--db', db]);
    expect(calm.stderr).toBe('');
    const before = JSON.parse(calm.stdout);
    expect(before).toMatchObject({ model: 'rows', version: 1, requests: 12, examples: 120, alerts: [], notes: [] });
    expect(calm.code).toBe(0);
    expect(before.profile).toMatchObject({ source: 'run', rows: 400, sampled: 400 });
    expect(Object.keys(before.drift.features)).toEqual(['a', 'b', 'c']);
    for (const f of Object.values(before.drift.features) as { method: string; drifted: boolean }[]) expect(f).toMatchObject({ method: 'ks', drifted: false });

    const shifted = await runCli(['monitor', 'rows', '--since', between, '--max-p99-ms', '60000', '--json', '--fail-on-alert', '--db', db]);
    expect(shifted.code).toBe(3);
    const after = JSON.parse(shifted.stdout);
    expect(after.requests).toBe(12);
    expect(after.drift.features.a).toMatchObject({ method: 'ks', drifted: true });
    expect(after.drift.features.b.drifted).toBe(false);
    expect(after.drift.features.c.drifted).toBe(false);
    expect(after.drift.psi.a).toBeGreaterThan(0.1);
    expect(after.alerts.map((a: { code: string }) => a.code)).toContain('feature_drift');
    expect(after.alerts.find((a: { code: string }) => a.code === 'feature_drift').message).toMatch(/^feature a drifts \(ks p-value /);
    // One feature of three is under Evidently's 0.5 share: no dataset drift.
    expect(after.drift).toMatchObject({ driftedFeatures: 1, drifted: false });

    const text = await runCli(['monitor', 'rows', '--since', between, '--max-p99-ms', '60000', '--db', db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/feature_drift: feature a drifts/);
    expect(text.stdout).toMatch(/^rows\/1 \(run \d+\): 12 sampled requests, 120 examples/);

    // The notebook view: one figure with the three panels.
    const report = monitor.report('rows', { db, since: Date.parse(between), maxP99Ms: 60_000 });
    const figure = monitor.monitorFigure(report);
    expect(figure.data.map((t: any) => t.xaxis)).toEqual(['x', 'x2', 'x2', 'x2', 'x3', 'x3']);
    expect((figure.data[0] as any).x).toEqual(['a', 'b', 'c']);
    expect((figure.data[0] as any).marker.color[0]).toBe('#d62728');
    const html = join(dirname(db), 'monitor.html');
    let said = '';
    expect(monitor.show(report, { file: html, stream: { write: (t: string) => ((said += t), true) } as never })).toBe(html);
    expect(readFileSync(html, 'utf8')).toContain('latency over time');
  }, 90_000);

  it('--sample 0.25 stores every 4th request, and SIGTERM flushes them; samples past --keep-days are deleted', async () => {
    const raw = new Database(db);
    const old = (days: number) => raw.prepare("INSERT INTO monitor_samples (model, version, at, latency_ms, examples, status) VALUES ('old', 1, ?, 1, 0, 200)").run(Date.now() - days * 86_400_000);
    old(31);
    old(29);
    raw.close();
    const before = sampleCount(db, 'rows');
    const server = await startServe(['rows', '--port', '0', '--sample', '0.25', '--db', db]);
    await send(server.url, tableRows(20, 9), 1);
    server.child.kill('SIGTERM');
    expect((await server.done).code).toBe(0);
    expect(sampleCount(db, 'rows') - before).toBe(5);
    // The default keeps 30 days.
    expect(sampleCount(db, 'old')).toBe(1);
  }, 60_000);

  it('kill -9 loses at most the unflushed buffer and leaves the store intact; --no-monitor stores nothing', async () => {
    const before = sampleCount(db, 'rows');
    const server = await startServe(['rows', '--port', '0', '--db', db]);
    await send(server.url, tableRows(30, 10));
    await waitForSamples(db, 'rows', before + 3);
    await send(server.url, tableRows(30, 11));
    server.child.kill('SIGKILL');
    await server.done;
    const after = sampleCount(db, 'rows') - before;
    expect(after).toBeGreaterThanOrEqual(3);
    expect(after).toBeLessThanOrEqual(6);
    const raw = new Database(db, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();

    const off = await startServe(['rows', '--port', '0', '--no-monitor', '--db', db]);
    await send(off.url, tableRows(10, 12));
    off.child.kill('SIGTERM');
    expect((await off.done).code).toBe(0);
    expect(sampleCount(db, 'rows') - before).toBe(after);
  }, 60_000);

  it('a store write that fails is logged and counted in /metrics; the requests are answered', async () => {
    const raw = new Database(db);
    raw.exec("CREATE TRIGGER refuse BEFORE INSERT ON monitor_samples BEGIN SELECT RAISE(ABORT, 'store refuses'); END;");
    try {
      const server = await startServe(['rows', '--port', '0', '--db', db]);
      await send(server.url, tableRows(20, 13));
      let metrics = '';
      for (let waited = 0; !/^labbook_monitor_samples_lost_total 2$/m.test(metrics) && waited < 10_000; waited += 200) {
        await new Promise((r) => setTimeout(r, 200));
        metrics = await (await fetch(`${server.url}/metrics`)).text();
      }
      // Two requests: written in one batch or two, both lost.
      expect(metrics).toMatch(/^labbook_monitor_samples_lost_total 2$/m);
      expect(metrics).toMatch(/^labbook_monitor_write_failures_total [12]$/m);
      expect(metrics).toMatch(/^labbook_monitor_samples_written_total 0$/m);
      expect((await post(`${server.url}/v1/models/rows:predict`, { instances: tableRows(1, 14) })).status).toBe(200);
      server.child.kill('SIGTERM');
      const done = await server.done;
      expect(done.code).toBe(0);
      expect(done.stderr).toMatch(/labbook serve: monitoring store: [12] sampled request\(s\) not written \(store refuses\); serving goes on/);
    } finally {
      raw.exec('DROP TRIGGER refuse');
      raw.close();
    }
  }, 60_000);

  it('a version without a profile says how to add one; --reference builds it; models show tells which have one', async () => {
    const server = await startServe(['tiny', '--port', '0', '--db', db]);
    const examples = Array.from({ length: 40 }, (_, i) => [i / 40, 1 - i / 40, (i % 5) / 5]);
    expect((await post(`${server.url}/v1/models/tiny:predict`, { instances: examples })).status).toBe(200);
    server.child.kill('SIGTERM');
    await server.done;
    const none = await runCli(['monitor', 'tiny', '--json', '--db', db]);
    expect(none.stderr).toBe('');
    expect(none.code).toBe(0);
    const report = JSON.parse(none.stdout);
    expect(report.drift).toBeNull();
    expect(report.notes[0]).toMatch(/^tiny\/1 has no reference profile \(its run \d+ logged none\), so drift cannot be measured\. Register the run again with a sample of its training data: labbook models register tiny \d+ --reference train\.csv/);
    expect((await runCli(['models', 'show', 'tiny/1', '--db', db])).stdout).toMatch(/reference profile: none \(labbook monitor cannot measure drift/);

    const file = join(dirname(db), 'train.json');
    writeFileSync(file, JSON.stringify(examples));
    const registered = await runCli(['models', 'register', 'tiny', String(report.runId), '--reference', file, '--db', db]);
    expect(registered.stderr).toBe('');
    expect(registered.stdout).toMatch(/^registered run \d+ as tiny\/2 \(final checkpoint [0-9a-f]{12}\), reference profile [0-9a-f]{12}\n$/);
    const shown = JSON.parse((await runCli(['models', 'show', 'tiny/2', '--json', '--db', db])).stdout);
    expect(shown.referenceProfileSha256).toMatch(/^[0-9a-f]{64}$/);
    // The tensor model's summary features, measured against the new version's profile.
    const ofTwo = monitor.report('tiny/2', { db });
    expect(ofTwo.profile).toMatchObject({ source: 'version', rows: 40 });
    expect(ofTwo.notes[0]).toMatch(/^No sampled requests for tiny\/2/);
  }, 90_000);

  it('mistakes get one line and exit 2; too few samples is said, not alarmed', async () => {
    await expectMistakes(
      [
        [['monitor', 'nope'], /^labbook: No model named "nope": expected one of "rows", "tiny", received "nope"\. Register one/],
        [['monitor', 'rows', '--window', '0s'], /^labbook: Invalid value for `--window`: expected a duration such as 30s, 15m, 1h or 7d, received "0s"\./],
        [['monitor', 'rows', '--since', 'yesterday'], /^labbook: Invalid value for `--since`: expected a duration back from now \(30s, 15m, 1h, 7d\) or an ISO time \(2026-12-01T10:00Z\), received "yesterday"\. Usage: labbook monitor /],
        [['monitor', 'rows', '--max-error-rate', 'lots'], /^labbook: Invalid value for `--max-error-rate`: expected a number ≥ 0, received "lots"\./],
        [['serve', 'rows', '--sample', '2'], /^labbook: Invalid value for `--sample`: expected a share of requests from 0 to 1 \(0\.1: every 10th\), received "2"\./],
        [['serve', 'rows', '--no-monitor', '--sample', '0.5'], /^labbook: --no-monitor stores no samples: expected neither --sample nor --keep-days with it, received --sample\./],
        [['models', 'register', 'tiny', '1', '--reference', 'no-such-file.json'], /^labbook: Cannot read the reference "no-such-file\.json": expected a readable JSON array of examples, received ENOENT\. Check the path and the JSON\.\n$/],
      ],
      db,
    );
    // The version asked to have a profile was not left registered without one.
    expect(JSON.parse((await runCli(['models', 'show', 'tiny', '--json', '--db', db])).stdout).versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const few = monitor.report('rows', { db, since: Date.now() - 1 });
    expect(few.drift).toBeNull();
    expect(few.alerts).toEqual([]);
    const small = monitor.report('rows', { db, minSamples: 1_000_000 });
    expect(small.notes[0]).toMatch(/^Too few samples to measure drift: expected at least 1000000 examples \(minSamples\), received \d+ in /);
    expect(small.alerts.filter((a) => a.code.includes('drift'))).toEqual([]);
  }, 60_000);
});
