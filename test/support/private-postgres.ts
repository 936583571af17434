/** A private PostgreSQL 15 server for one test file (initdb into its own folder, run as user postgres): tests may stop and start it; the shared server is never touched. */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const BIN = '/usr/lib/postgresql/15/bin';

export interface PrivatePostgres {
  /** Superuser URL (trust auth on loopback) to the server's postgres database. */
  url: string;
  start(): void;
  /** `pg_ctl stop -m fast`: open connections are cut, as in a real outage. */
  stop(): void;
  /** Stops the server if it runs and removes its folder. */
  dispose(): void;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  // Not under os.tmpdir(): the test run's TMPDIR is a root-only folder that user postgres cannot enter.
  const dir = mkdtempSync('/tmp/labbook-private-pg-');
  const data = join(dir, 'data');
  let running = false;
  const asPostgres = (args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'pipe', cwd: dir });
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
    asPostgres([`${BIN}/initdb`, '-D', data, '--auth=trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    const port = await freePort();
    const server: PrivatePostgres = {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      start() {
        asPostgres([`${BIN}/pg_ctl`, '-D', data, '-l', join(dir, 'server.log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
        running = true;
      },
      stop() {
        asPostgres([`${BIN}/pg_ctl`, '-D', data, '-m', 'fast', '-w', 'stop']);
        running = false;
      },
      dispose() {
        try {
          if (running) server.stop();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
    server.start();
    return server;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
