/** What labbook's two HTTP servers (`serve`, `ui`) share: binding rules, token comparison and listening. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { describeValue, LabbookError } from '../errors';

/** Addresses only this machine can reach: the one place a server may run without a token. */
export const LOOPBACK: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

/** Refuses an address other machines can reach unless a token guards it; `how` says how to pass one. */
export function checkBinding(host: string, token: string | undefined, how: string): void {
  if (LOOPBACK.includes(host) || token !== undefined) return;
  throw new LabbookError(
    'INVALID_ARGUMENT',
    `Refusing to serve on ${describeValue(host)} without a token: expected a token when binding to anything but 127.0.0.1, ::1 or localhost, received none. ${how}, or bind to 127.0.0.1.`,
  );
}

/** Compared as hashes of equal length, so the time taken says nothing about the token. */
export function sameToken(given: string, token: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** Starts listening; resolves once bound, rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL). */
export function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }) as Server;
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
