// startServer as a call in this process: its option checks, and close() after serving.
import { beforeAll, describe, expect, it } from 'vitest';
import { logModel, models, openRegistry, startServer } from '../../kernel-lib/src';
import { ROWS, tinyModel } from '../model-registry/fixture';
import { post, servingRegistry } from './server';

describe('startServer', () => {
  let db: string;
  beforeAll(async () => {
    db = await servingRegistry();
  }, 60_000);

  it('refuses options that cannot serve safely, with the fix', async () => {
    await expect(startServer({ model: 'tiny', db, host: '0.0.0.0', port: 0 })).rejects.toThrow(/^Refusing to serve on "0\.0\.0\.0" without a token: expected a token when binding to anything but 127\.0\.0\.1, ::1 or localhost, received none\./);
    await expect(startServer({ model: 'tiny', db, port: 70000 })).rejects.toThrow(/^Invalid value for `port`: expected an integer from 0 to 65535 \(0: any free port\), received 70000\./);
    await expect(startServer({ model: 'tiny', db, port: 0, token: '' })).rejects.toThrow(/^Invalid value for `token`: expected a non-empty string, received ""\./);
    await expect(startServer({ model: 'tiny', db, port: 0, batch: { maxSize: 0 } })).rejects.toThrow(/^Invalid value for `batch\.maxSize`: expected a positive integer, received 0\./);
  });

  it('serves on loopback with a lowercase bearer scheme, and close() stops it', async () => {
    const server = await startServer({ model: 'tiny@champion', db, port: 0, token: 't0ken' });
    try {
      expect(server).toMatchObject({ name: 'tiny', version: 1 });
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await post(`${server.url}/v1/models/tiny:predict`, { instances: ROWS }, { authorization: 'bearer t0ken' })).status).toBe(200);
      expect((await post(`${server.url}/v1/models/tiny:predict`, { instances: ROWS }, { authorization: 'Bearer T0KEN' })).status).toBe(401);
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/v2/health/live`)).rejects.toThrow();
  });

  it('a failure inside the model is a 500 with its message, logged once, and the server keeps serving', async () => {
    // A package whose stored shape ([4]) is not the network's ([3]): requests pass the checks and tfjs fails.
    const registry = openRegistry({ db });
    const run = registry.startRun({ experiment: 'broken', config: {}, seed: 1 });
    const model = tinyModel(1);
    await logModel(run, model, { input: { kind: 'tensor', shape: [4] }, task: 'classification', labels: ['no', 'yes'] });
    model.dispose();
    run.end();
    models.registerModel(registry, 'broken', run.id);
    registry.close();
    const logged: string[] = [];
    const server = await startServer({ model: 'broken', db, port: 0, log: (line) => logged.push(line) });
    try {
      const failed = await post(`${server.url}/v1/models/broken:predict`, { instances: [[1, 2, 3, 4]] });
      expect(failed.status).toBe(500);
      expect(failed.json.error).toMatch(/^Internal error answering POST \/v1\/models\/broken:predict: .+\. The server logged it and keeps serving; report it if it repeats\.$/);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(/^500 on POST \/v1\/models\/broken:predict: /);
      expect((await fetch(`${server.url}/v1/models/broken`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
