// `labbook serve` as a real process over real HTTP: TF Serving predict (row and columnar), status and metadata, KServe v2, micro-batching and /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../kernel-lib/src';
import { ROWS } from '../model-registry/fixture';
import { get, killServers, post, postEarly, rounded, servingRegistry, startServe, type Serving } from './server';

describe('labbook serve', () => {
  let db: string;
  let server: Serving;
  let expected: unknown[];

  beforeAll(async () => {
    db = await servingRegistry();
    server = await startServe(['tiny@champion', '--port', '0', '--db', db]);
    const ready = await loadModel('tiny@champion', { db });
    expected = ready.predict(ROWS);
    ready.dispose();
  }, 60_000);
  afterAll(() => killServers());

  it('prints the URL and port, and answers model status and metadata as TF Serving does', async () => {
    expect(server.line).toMatch(/^serving tiny version 1 \(run \d+\) at http:\/\/127\.0\.0\.1:\d+ \(port \d+\)/);
    const status = { model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] };
    expect(await get(`${server.url}/v1/models/tiny`)).toEqual({ status: 200, json: status });
    expect(await get(`${server.url}/v1/models/tiny/versions/1`)).toEqual({ status: 200, json: status });
    const meta = await get(`${server.url}/v1/models/tiny/metadata`);
    expect(meta.status).toBe(200);
    expect(meta.json.model_spec).toEqual({ name: 'tiny', signature_name: '', version: '1' });
    const signature = meta.json.metadata.signature_def.signature_def.serving_default;
    expect(signature.inputs.input).toEqual({ dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: '-1', name: '' }, { size: '3', name: '' }], unknown_rank: false }, name: 'input' });
    expect(Object.keys(signature.outputs)).toEqual(['label', 'confidence', 'probabilities']);
    expect(meta.json.metadata.labels).toEqual(['no', 'yes']);
  });

  it('unknown model names and versions are 404s naming what is served', async () => {
    const other = await get(`${server.url}/v1/models/spam`);
    expect(other.status).toBe(404);
    expect(other.json.error).toMatch(/^Model "spam" is not served here: expected "tiny" \(the models served: tiny\), received "spam"\./);
    const version = await post(`${server.url}/v1/models/tiny/versions/7:predict`, { instances: ROWS });
    expect(version.status).toBe(404);
    expect(version.json.error).toMatch(/^Version "7" of model "tiny" is not served here: expected 1/);
    expect((await get(`${server.url}/v2/models/spam`)).status).toBe(404);
  });

  it('predict with instances (row format) and inputs (columnar) equals ReadyModel.predict in-process', async () => {
    const rows = await post(`${server.url}/v1/models/tiny:predict`, { instances: ROWS });
    expect(rows.status).toBe(200);
    expect(rounded(rows.json.predictions)).toEqual(rounded(expected));
    const versioned = await post(`${server.url}/v1/models/tiny/versions/1:predict`, { signature_name: 'serving_default', instances: ROWS });
    expect(rounded(versioned.json.predictions)).toEqual(rounded(expected));
    const columnar = await post(`${server.url}/v1/models/tiny:predict`, { inputs: ROWS });
    expect(columnar.status).toBe(200);
    const outputs = columnar.json.outputs;
    expect(Object.keys(outputs)).toEqual(['label', 'confidence', 'probabilities']);
    const back = ROWS.map((_, i) => ({ label: outputs.label[i], confidence: outputs.confidence[i], probabilities: outputs.probabilities[i] }));
    expect(rounded(back)).toEqual(rounded(expected));
  });

  it('KServe v2: health, model metadata and infer with flat or nested data', async () => {
    expect(await get(`${server.url}/v2/health/live`)).toEqual({ status: 200, json: { live: true } });
    expect(await get(`${server.url}/v2/health/ready`)).toEqual({ status: 200, json: { ready: true } });
    const meta = await get(`${server.url}/v2/models/tiny`);
    expect(meta.json).toMatchObject({ name: 'tiny', versions: ['1'], inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 3] }] });
    for (const data of [ROWS.flat(), ROWS]) {
      const infer = await post(`${server.url}/v2/models/tiny/infer`, { id: 'r1', inputs: [{ name: 'input', shape: [3, 3], datatype: 'FP32', data }] });
      expect(infer.status).toBe(200);
      expect(infer.json.model_name).toBe('tiny');
      expect(infer.json.model_version).toBe('1');
      expect(infer.json.id).toBe('r1');
      const want = expected as { label: string; confidence: number; probabilities: { no: number; yes: number } }[];
      expect(rounded(infer.json.outputs)).toEqual(
        rounded([
          { name: 'label', datatype: 'BYTES', shape: [3], data: want.map((p) => p.label) },
          { name: 'confidence', datatype: 'FP32', shape: [3], data: want.map((p) => p.confidence) },
          { name: 'probabilities', datatype: 'FP32', shape: [3, 2], data: want.flatMap((p) => [p.probabilities.no, p.probabilities.yes]) },
        ]),
      );
    }
  });

  it('50 concurrent requests are all answered correctly, batched together (/metrics shows a batch of more than one)', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => post(`${server.url}/v1/models/tiny:predict`, { instances: [ROWS[i % 3]] })));
    answers.forEach((a, i) => {
      expect(a.status).toBe(200);
      expect(rounded(a.json.predictions)).toEqual([rounded(expected[i % 3])]);
    });
    const metrics = (await get(`${server.url}/metrics`)).json as string;
    const sum = Number(/^labbook_serve_batch_size_sum (\S+)$/m.exec(metrics)?.[1]);
    const count = Number(/^labbook_serve_batch_size_count (\S+)$/m.exec(metrics)?.[1]);
    expect(count).toBeGreaterThan(0);
    expect(sum).toBeGreaterThan(count); // some model call took more than one example
    expect(metrics).toMatch(/^labbook_serve_requests_total\{route="POST \/v1\/models\/:target",code="200"\} \d+$/m);
    expect(metrics).toMatch(/^labbook_serve_request_duration_seconds_count\{route="POST \/v1\/models\/:target"\} \d+$/m);
    expect(metrics).toMatch(/^labbook_serve_in_flight_requests \d+$/m);
  });

  it('every malformed request is a 400 (413 when too large) saying what was expected, and the server still answers', async () => {
    const predict = `${server.url}/v1/models/tiny:predict`;
    const cases: [string | object, number, RegExp][] = [
      ['{not json', 400, /^Invalid request body: expected a JSON object, received text that does not parse as JSON/],
      [{ examples: ROWS }, 400, /^Invalid predict request: expected exactly one of `instances` or `inputs`, received neither \(fields: "examples"\)\. Send/],
      [{ instances: ROWS, inputs: ROWS }, 400, /received both/],
      [{ instances: [] }, 400, /^Invalid `instances`: expected a non-empty array/],
      [{ instances: [[1, 2]] }, 400, /^Invalid `instances\[0\]`: expected 3 values \(each example of shape \[3\]\), received 2\. Reshape/],
      [{ instances: [[1, 'NaN', 3]] }, 400, /^Invalid `instances\[0\]\[1\]`: expected a finite number, received "NaN"\. JSON carries no NaN or Infinity/],
      [{ instances: [[1, null, 3]] }, 400, /^Invalid `instances\[0\]\[1\]`: expected a finite number, received null\. The model takes no missing values/],
      [{ inputs: [[1, 2, 3], [1, 2]] }, 400, /^Invalid `inputs\[1\]`: expected 3 values/],
      ['{"instances": [[1, 2, NaN]]}', 400, /^Invalid request body: expected a JSON object, received text that does not parse/],
    ];
    for (const [body, status, message] of cases) {
      const answer = await post(predict, body);
      expect({ body: String(JSON.stringify(body)).slice(0, 60), status: answer.status }).toEqual({ body: String(JSON.stringify(body)).slice(0, 60), status });
      expect(answer.json.error).toMatch(message);
    }
    const huge = await postEarly(predict, JSON.stringify({ instances: [Array.from({ length: 3 }, () => 'x'.repeat(400_000))] }));
    expect(huge).toEqual({ status: 413, json: { error: 'Request body too large: expected at most 1048576 bytes, received more. Split the examples over several requests.' } });
    const v2 = `${server.url}/v2/models/tiny/infer`;
    const v2cases: [object, RegExp][] = [
      [{}, /^Invalid `inputs`: expected a non-empty array of tensors, received undefined/],
      [{ inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] }, /^Invalid `inputs\[0\]\.name`: expected one of `input`, received "x"/],
      [{ inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }, /^Invalid `inputs\[0\]\.shape`: expected \[n, 3\] with n ≥ 1, received \[1, 4\]/],
      [{ inputs: [{ name: 'input', shape: [1, 3], datatype: 'BYTES', data: ['a', 'b', 'c'] }] }, /^Invalid `inputs\[0\]\.datatype`: expected a numeric type/],
      [{ inputs: [{ name: 'input', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3] }] }, /^Invalid `inputs\[0\]\.data`: expected 6 values \(the product of shape \[2, 3\]\), received 3/],
      [{ inputs: [{ name: 'input', shape: [1, 3], datatype: 'FP32', data: [1, 'Infinity', 3] }] }, /^Invalid `inputs\[0\]\.data\[0\]\[1\]`: expected a finite number, received "Infinity"/],
    ];
    for (const [body, message] of v2cases) {
      const answer = await post(v2, body);
      expect(answer.status).toBe(400);
      expect(answer.json.error).toMatch(message);
    }
    expect(rounded((await post(predict, { instances: ROWS })).json.predictions)).toEqual(rounded(expected));
    expect(server.child.exitCode).toBeNull();
  });
});
