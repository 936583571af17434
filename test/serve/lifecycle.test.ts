// `labbook serve` as a process: a token off loopback, graceful SIGTERM, kill -9 and restart, a table model's field checks, and the CLI's mistakes.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../kernel-lib/src';
import { expectMistakes, runCli } from '../helpers';
import { ROWS } from '../model-registry/fixture';
import { get, killServers, post, rounded, servingRegistry, startServe } from './server';

describe('labbook serve as a process', () => {
  let db: string;
  beforeAll(async () => {
    db = await servingRegistry();
  }, 60_000);
  afterAll(() => killServers());

  it('off loopback it refuses to start without a token; with one every route but health needs it', async () => {
    const refused = await runCli(['serve', 'tiny', '--host', '0.0.0.0', '--port', '0', '--db', db], { LABBOOK_SERVE_TOKEN: undefined });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      'labbook: Refusing to serve on "0.0.0.0" without a token: expected a token when binding to anything but 127.0.0.1, ::1 or localhost, received none. Pass --token T (or set LABBOOK_SERVE_TOKEN), or bind to 127.0.0.1.',
    );
    const server = await startServe(['tiny', '--host', '0.0.0.0', '--port', '0', '--db', db], { LABBOOK_SERVE_TOKEN: 's3cret-token' });
    expect(server.line).not.toContain('s3cret');
    const predict = `${server.url}/v1/models/tiny:predict`;
    const none = await post(predict, { instances: ROWS });
    expect(none.status).toBe(401);
    expect(none.json.error).toBe('Unauthorized: expected the header `Authorization: Bearer <token>` with the token this server was started with, received no Authorization header. Send the server\'s token.');
    expect((await post(predict, { instances: ROWS }, { authorization: 'Bearer wrong' })).json.error).toMatch(/received a different token\./);
    expect((await get(`${server.url}/metrics`)).status).toBe(401);
    expect((await get(`${server.url}/v1/models/tiny`)).status).toBe(401);
    expect((await get(`${server.url}/v2/health/ready`)).status).toBe(200);
    const ok = await post(predict, { instances: ROWS }, { authorization: 'Bearer s3cret-token' });
    expect(ok.status).toBe(200);
    expect(ok.json.predictions).toHaveLength(3);
    server.child.kill('SIGTERM');
    expect((await server.done).code).toBe(0);
  }, 60_000);

  it('SIGTERM lets a request in flight finish, then exits 0', async () => {
    const server = await startServe(['tiny@champion', '--port', '0', '--db', db]);
    const body = JSON.stringify({ instances: ROWS });
    // A request whose body is half sent when the signal comes: the server must wait for it and answer it.
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${server.url}/v1/models/tiny:predict`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        server.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 300);
    });
    const answer = await answered;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text).predictions).toHaveLength(3);
    const done = await server.done;
    expect({ code: done.code, signal: done.signal }).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('after kill -9 a new server on the same registry serves again', async () => {
    const first = await startServe(['tiny', '--port', '0', '--db', db]);
    expect((await post(`${first.url}/v1/models/tiny:predict`, { instances: ROWS })).status).toBe(200);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const second = await startServe(['tiny/1', '--port', '0', '--db', db]);
    const again = await post(`${second.url}/v1/models/tiny:predict`, { instances: ROWS });
    expect(again.status).toBe(200);
    second.child.kill('SIGINT');
    expect((await second.done).code).toBe(0);
  }, 60_000);

  it('a table model takes records and columns, and names a missing feature or a "NaN" in a number field', async () => {
    const server = await startServe(['rows', '--port', '0', '--db', db]);
    const ready = await loadModel('rows', { db });
    const records = ROWS.map(([a, b, c]) => ({ a, b, c }));
    const expected = rounded(ready.predict(records));
    ready.dispose();
    const predict = `${server.url}/v1/models/rows:predict`;
    expect(rounded((await post(predict, { instances: records.map((r) => ({ ...r, note: 'ignored' })) })).json.predictions)).toEqual(expected);
    const columnar = (await post(predict, { inputs: { a: ROWS.map((r) => r[0]), b: ROWS.map((r) => r[1]), c: ROWS.map((r) => r[2]) } })).json.outputs;
    expect(rounded(columnar.label.map((label: string, i: number) => ({ label, confidence: columnar.confidence[i], probabilities: columnar.probabilities[i] })))).toEqual(expected);
    const meta = (await get(`${server.url}/v1/models/rows/metadata`)).json.metadata.signature_def.signature_def.serving_default;
    expect(Object.keys(meta.inputs)).toEqual(['a', 'b', 'c']);
    const infer = await post(`${server.url}/v2/models/rows/infer`, { inputs: ['a', 'b', 'c'].map((name, j) => ({ name, shape: [3], datatype: 'FP32', data: ROWS.map((r) => r[j]) })) });
    expect(infer.status).toBe(200);
    expect(infer.json.outputs[0].data).toEqual((expected as { label: string }[]).map((p) => p.label));

    const missing = await post(predict, { instances: [{ a: 1, b: 2 }] });
    expect(missing).toEqual({ status: 400, json: { error: 'Invalid `instances[0]`: expected the features `c`, received a record with `a`, `b`. Add the missing features to every example.' } });
    const nan = await post(predict, { instances: [{ a: 1, b: 'NaN', c: 3 }] });
    expect(nan).toEqual({ status: 400, json: { error: 'Invalid `instances[0].b`: expected a finite number, received "NaN". JSON carries no NaN or Infinity and the model takes none: send a finite number.' } });
    const short = await post(predict, { inputs: { a: [1, 2], b: [1], c: [1, 2] } });
    expect(short.json.error).toBe('Invalid `inputs.b`: expected an array of 2 values (as long as `inputs.a`), received 1 values. Give every feature one value per example.');
    const v2missing = await post(`${server.url}/v2/models/rows/infer`, { inputs: [{ name: 'a', shape: [1], datatype: 'FP32', data: [1] }] });
    expect(v2missing.json.error).toBe('Invalid `inputs`: expected the tensors `b`, `c`, received tensors `a`. Add the missing inputs.');
    expect((await post(predict, { instances: records })).status).toBe(200);
  }, 60_000);

  it('CLI mistakes are one line and exit 2: a PostgreSQL --db, a bad port, no model, an unknown model', async () => {
    await expectMistakes([
      [['serve', 'tiny', '--db', 'postgres://localhost/x'], /^labbook: `labbook serve` works on a local registry only: expected --db PATH to a SQLite registry, received a PostgreSQL URL/],
      [['serve', 'tiny', '--port', 'http', '--db', db], /^labbook: Invalid value for `--port`: expected an integer from 0 to 65535 \(0: any free port\), received "http"\./],
      [['serve', '--db', db], /^labbook: Missing model: expected one model, received 0\./],
      [['serve', 'nope', '--port', '0', '--db', db], /^labbook: .*"nope"/],
    ]);
  }, 60_000);
});
