/** `labbook serve NAME[@alias|/version]|RUN_ID`: serves a model over HTTP (TF Serving REST and KServe v2) until SIGTERM or SIGINT. */
import { LabbookError } from '../../errors';
import { parse } from '../args';
import type { Command } from '../command';
import { portOption, untilSignal } from '../server';
import { localOnly } from '../team-store';

const usage = 'labbook serve NAME[@ALIAS|/VERSION]|RUN_ID [--host H] [--port P] [--token T] [--runtime tfjs|onnx] [--sample S | --no-monitor] [--keep-days D] [--db PATH]';

export const serve: Command = {
  name: 'serve',
  summary: 'serve a registered model (or a run\'s model) over HTTP: TF Serving REST and KServe v2, micro-batched, /metrics',
  usage,
  help: [
    '--host: default 127.0.0.1; any other address needs a token (--token, or LABBOOK_SERVE_TOKEN).',
    '--port: default 8501 (TF Serving\'s REST port); 0 picks a free one, printed at start.',
    'With a token every route but /v2/health/* needs `Authorization: Bearer <token>`.',
    '--runtime: tfjs (default) or onnx (onnxruntime-node on an ONNX export of the model, made once and cached beside the registry).',
    '--sample S: the share of predict requests stored for `labbook monitor` (0..1, default 1: every one; 0.1: every 10th); --no-monitor stores none; --keep-days D: samples older than D days are deleted (default 30; 0 keeps all).',
    'SIGTERM or SIGINT stops accepting, lets in-flight requests finish, and exits 0.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parse(argv, { host: { type: 'string' }, port: { type: 'string' }, token: { type: 'string' }, runtime: { type: 'string' }, sample: { type: 'string' }, 'no-monitor': { type: 'boolean', default: false }, 'keep-days': { type: 'string' } }, usage, { name: 'model', min: 1, max: 1 });
    localOnly('serve', values.db, 'Register the model in a local registry and serve it from there (--db .labbook/labbook.db, or LABBOOK_LOCAL_DB).');
    const ref = positionals[0];
    const model = /^\d+$/.test(ref) ? Number(ref) : ref;
    const port = portOption(values.port, usage);
    const runtime = values.runtime ?? 'tfjs';
    if (runtime !== 'tfjs' && runtime !== 'onnx') throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`--runtime\`: expected tfjs or onnx, received ${JSON.stringify(runtime)}. Usage: ${usage}`);
    const monitor = monitorOptions(values.sample, values['keep-days'], values['no-monitor']);
    const token = values.token ?? (process.env.LABBOOK_SERVE_TOKEN || undefined);
    // Loaded here, not at the top: hono, prom-client and tfjs cost every other command their start-up.
    const { startServer } = require('../../serve') as typeof import('../../serve');
    const { initBackend } = require('../../backend') as typeof import('../../backend');
    await initBackend({});
    const server = await startServer({ model, db: values.db, host: values.host, port, token, runtime, monitor });
    // The token is never printed: the line goes to logs and terminals.
    process.stdout.write(`serving ${server.name} version ${server.version} (run ${server.runId}) at ${server.url} (port ${new URL(server.url).port}), runtime ${server.runtime}: GET ${server.url}/v1/models/${server.name}\n`);
    await untilSignal(server);
    // Anything left holding the event loop (a worker thread of a backend) must not keep a stopped server's process alive.
    setTimeout(() => process.exit(0), 1000).unref();
    return 0;
  },
};

/** The monitoring options from --sample, --keep-days and --no-monitor (false: no store). */
function monitorOptions(sample: string | undefined, keepDays: string | undefined, off: boolean): { sample?: number; keepDays?: number } | false {
  if (off && (sample !== undefined || keepDays !== undefined)) {
    throw new LabbookError('INVALID_ARGUMENT', `--no-monitor stores no samples: expected neither --sample nor --keep-days with it, received ${sample !== undefined ? '--sample' : '--keep-days'}. Drop one. Usage: ${usage}`);
  }
  if (off) return false;
  const share = sample === undefined ? undefined : Number(sample);
  if (share !== undefined && !(sample!.trim() !== '' && share >= 0 && share <= 1)) {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`--sample\`: expected a share of requests from 0 to 1 (0.1: every 10th), received ${JSON.stringify(sample)}. Usage: ${usage}`);
  }
  const days = keepDays === undefined ? undefined : Number(keepDays);
  if (days !== undefined && !(keepDays!.trim() !== '' && days >= 0)) {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`--keep-days\`: expected a number of days ≥ 0 (0: keep every sample), received ${JSON.stringify(keepDays)}. Usage: ${usage}`);
  }
  return { sample: share, keepDays: days };
}
