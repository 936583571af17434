/** `labbook ui`: the web UI over a registry or the team store, until SIGTERM or SIGINT. */
import { parse } from '../args';
import type { Command } from '../command';
import { portOption, untilSignal } from '../server';

const usage = 'labbook ui [--host H] [--port P] [--token T] [--db PATH|postgres://...]';

export const ui: Command = {
  name: 'ui',
  summary: 'browse runs, compare them, and see sweeps and models in a web UI (read-only; http://127.0.0.1:8600)',
  usage,
  help: [
    '--db: a registry file, or the team store\'s postgres:// URL (default as every command).',
    '--host: default 127.0.0.1; any other address needs a token (--token, or LABBOOK_UI_TOKEN, at least 16 characters).',
    '--port: default 8600; 0 picks a free one. The address is printed at start.',
    'With a token, open http://HOST:PORT/?token=T once (a cookie keeps it) or send `Authorization: Bearer T` to /api.',
    'The JSON API (GET /api lists its routes) is the one the page reads: scripts may use it too.',
  ].join('\n'),
  async run(argv) {
    const { values } = parse(argv, { host: { type: 'string' }, port: { type: 'string' }, token: { type: 'string' } }, usage);
    const port = portOption(values.port, usage);
    const token = values.token ?? (process.env.LABBOOK_UI_TOKEN || undefined);
    // Loaded here: hono and the stores cost every other command nothing.
    const { startUi } = require('../../ui') as typeof import('../../ui');
    const server = await startUi({ db: values.db, host: values.host, port, token });
    // The token is never printed: the line goes to logs and terminals.
    process.stdout.write(`labbook ui: ${server.url}/ (${server.store === 'postgres' ? 'team store' : 'registry'}; read-only${token ? '; open it with ?token=T once' : ''}). Ctrl-C stops it.\n`);
    await untilSignal(server);
    return 0;
  },
};
