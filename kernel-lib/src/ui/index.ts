/** `labbook ui`: a read-only web app over a registry (SQLite) or the team store (PostgreSQL). startUi is its library form. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invalidArgument, LabbookError } from '../errors';
import { checkBinding, listen } from '../http';
import { openRegistry } from '../registry/registry';
import { openTeamStore } from '../team/connect';
import { isPostgresUrl } from '../team/url';
import { buildApp } from './app';
import { postgresSource } from './pg-source';
import type { UiSource } from './source';
import { sqliteSource } from './sqlite-source';

export type * from './api';

export interface UiOptions {
  /** A registry file, or a postgres:// URL of the team store; default as every command (--db, LABBOOK_DB, .labbook/labbook.db). */
  db?: string;
  /** Default 127.0.0.1; any other address requires `token`. */
  host?: string;
  /** Default 8600; 0 picks a free port. */
  port?: number;
  /** Every request must then carry it (a cookie set by opening /?token=T, or `Authorization: Bearer T`). */
  token?: string;
  /** Where errors are logged; default stderr. */
  log?: (line: string) => void;
  /** How often the store is polled for live updates while a page listens (ms, default 1000). */
  pollMs?: number;
}

export interface RunningUi {
  /** http://host:port, without the token. */
  url: string;
  store: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

export async function startUi(options: UiOptions = {}): Promise<RunningUi> {
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8600;
  if (typeof host !== 'string' || host === '') throw invalidArgument('host', 'an address or host name', host);
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw invalidArgument('port', 'an integer from 0 to 65535 (0: any free port)', port);
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length < 16)) {
    throw invalidArgument('token', 'a string of at least 16 characters (e.g. from `openssl rand -hex 16`)', options.token === undefined ? undefined : '(a shorter string)');
  }
  checkBinding(host, options.token, 'Pass --token T (at least 16 characters; or set LABBOOK_UI_TOKEN)');
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const source = await openSource(options.db);
  let server: Server;
  try {
    const { app, events } = buildApp({ source, host, token: options.token, version: (require('../../package.json') as { version: string }).version, log, pollMs: options.pollMs });
    try {
      server = await listen(app.fetch, host, port);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new LabbookError('INVALID_ARGUMENT', `Cannot listen on ${host}:${port}: expected a free port on an address of this machine, received ${code ?? (error as Error).message}. Pick another --port (0: any free one) or --host.`);
    }
    const address = server.address() as AddressInfo;
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return {
      url: `http://${shown}:${address.port}`,
      store: source.kind,
      async close() {
        events.stop();
        // Open event streams would hold close() forever: they end with the server.
        server.closeAllConnections?.();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await source.close();
      },
    };
  } catch (error) {
    await source.close();
    throw error;
  }
}

async function openSource(db: string | undefined): Promise<UiSource> {
  const chosen = db ?? process.env.LABBOOK_DB;
  if (isPostgresUrl(chosen)) {
    return postgresSource(await openTeamStore(chosen.trim(), { max: 4 }));
  }
  return sqliteSource(openRegistry({ db, create: false }));
}
