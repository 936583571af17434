/** Connection files for kernels: free TCP ports on 127.0.0.1, a random key, hmac-sha256. */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface ConnectionInfo {
  transport: 'tcp';
  ip: string;
  key: string;
  signature_scheme: 'hmac-sha256';
  kernel_name: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
}

const CHANNELS = ['shell', 'iopub', 'stdin', 'control', 'hb'] as const;

/**
 * Ports handed to a kernel of this process that is still alive. The OS gives a port that is free
 * now; keeping our own list means two kernels started in parallel never get the same one (another
 * process can still take a port before the kernel binds it: the kernel then fails to start and
 * is started again on fresh ports).
 */
const inUse = new Set<number>();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

async function claimPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < count; tries++) {
    if (tries > 100) throw new Error('could not find free TCP ports on 127.0.0.1');
    const port = await freePort();
    if (inUse.has(port)) continue;
    inUse.add(port);
    ports.push(port);
  }
  return ports;
}

/** Writes `kernel.json` into `dir` and returns it with a function that releases its ports. */
export async function writeConnectionFile(dir: string): Promise<{ path: string; info: ConnectionInfo; release: () => void }> {
  const ports = await claimPorts(CHANNELS.length);
  const info: ConnectionInfo = {
    transport: 'tcp',
    ip: '127.0.0.1',
    key: randomBytes(32).toString('hex'),
    signature_scheme: 'hmac-sha256',
    kernel_name: 'tslab',
    shell_port: ports[0],
    iopub_port: ports[1],
    stdin_port: ports[2],
    control_port: ports[3],
    hb_port: ports[4],
  };
  const path = join(dir, 'kernel.json');
  writeFileSync(path, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  return { path, info, release: () => ports.forEach((p) => inUse.delete(p)) };
}

export function address(info: ConnectionInfo, channel: (typeof CHANNELS)[number]): string {
  return `${info.transport}://${info.ip}:${info[`${channel}_port`]}`;
}
