// startServer as a call in this process: its option checks, and close() after serving.
import { beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../kernel-lib/src';
import { ROWS } from '../model-registry/fixture';
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
});
