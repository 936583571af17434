/** startServer: one registered model version (or a run's model) over HTTP, speaking TF Serving's REST API and KServe v2, with micro-batching and /metrics. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { invalidArgument, LabbookError } from '../errors';
import { checkBinding, listen } from '../http';
import { loadModel } from '../model-package';
import { resolveModel } from '../model-registry/versions';
import { openRegistry } from '../registry/registry';
import { resolveDbPath } from '../registry/paths';
import { buildApp } from './app';
import { Batcher, type BatchOptions } from './batcher';
import { ServeMetrics } from './metrics';
import { MonitorWriter, type MonitorOptions } from '../monitor/store';
import type { Served } from './model';
import { checkRuntime, createRuntime, type RuntimeName, type ServeRuntime } from './runtime';

export interface ServeOptions {
  /** 'name@alias', 'name/3', 'name' (its latest version) or a run id. */
  model: string | number;
  /** The registry: a SQLite path (default: $LABBOOK_DB, else the project's). */
  db?: string;
  /** Default 127.0.0.1; any other address than loopback requires `token`. */
  host?: string;
  /** Default 8501 (TF Serving's REST port); 0 picks a free one. */
  port?: number;
  /** Every route but /v2/health/* then needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Default 1 MiB; a larger body is a 413. */
  maxBodyBytes?: number;
  batch?: Partial<BatchOptions>;
  /** The forward pass: 'tfjs' (default) or 'onnx' (onnxruntime-node on an ONNX export, cached beside the registry under cache/onnx). */
  runtime?: RuntimeName;
  /** Sampled requests go to the registry's monitoring store (`labbook monitor`): default every one; false: none. */
  monitor?: MonitorOptions | false;
  /** Where a 500's error is logged (default: stderr). */
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  /** The name and version clients address, and the run it serves. */
  name: string;
  version: number;
  runId: number;
  runtime: RuntimeName;
  /** Stops accepting, lets in-flight requests finish (up to graceMs, default 10 s), then frees the model. */
  close(graceMs?: number): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8501;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const batch = { maxSize: 32, maxDelayMs: 2, ...options.batch };
  if (typeof host !== 'string' || host === '') throw invalidArgument('host', 'an address or host name', host);
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw invalidArgument('port', 'an integer from 0 to 65535 (0: any free port)', port);
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token === '')) throw invalidArgument('token', 'a non-empty string', options.token);
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) throw invalidArgument('maxBodyBytes', 'a positive integer', maxBodyBytes);
  if (!Number.isSafeInteger(batch.maxSize) || batch.maxSize < 1) throw invalidArgument('batch.maxSize', 'a positive integer', batch.maxSize);
  if (typeof batch.maxDelayMs !== 'number' || !(batch.maxDelayMs >= 0)) throw invalidArgument('batch.maxDelayMs', 'a number ≥ 0', batch.maxDelayMs);
  const runtimeName = checkRuntime(options.runtime ?? 'tfjs');
  checkBinding(host, options.token, 'Pass --token T (or set LABBOOK_SERVE_TOKEN)');
  const served = await loadServed(options.model, options.db, runtimeName);
  let runtime: ServeRuntime;
  try {
    runtime = await createRuntime(runtimeName, served.model, { cacheDir: join(dirname(resolveDbPath(options.db)), 'cache', 'onnx') });
  } catch (error) {
    served.model.dispose();
    throw error;
  }
  const metrics = new ServeMetrics();
  const batcher = new Batcher((examples) => runtime.predict(examples), batch, (n) => metrics.batchSize.observe(n));
  const state = { inFlight: 0, closing: false };
  const log = options.log ?? ((line: string) => process.stderr.write(`labbook serve: ${line}\n`));
  let monitor: MonitorWriter | null;
  try {
    monitor = startMonitor(options, metrics, log);
  } catch (error) {
    runtime.close();
    served.model.dispose();
    throw error;
  }
  const writer = monitor;
  const app = buildApp({ served, batcher, metrics, token: options.token, maxBodyBytes, state, log, record: writer ? (sample) => writer.record(sample) : undefined });
  let server: Server;
  try {
    server = await listen(app.fetch, host, port);
  } catch (error) {
    runtime.close();
    served.model.dispose();
    await monitor?.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw new LabbookError('INVALID_ARGUMENT', `Cannot listen on ${host}:${port}: expected a free port on an address of this machine, received ${code ?? (error as Error).message}. Pick another --port (0: any free one) or --host.`);
  }
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  let closed: Promise<void> | null = null;
  return {
    url,
    name: served.name,
    version: served.version,
    runId: served.runId,
    runtime: runtimeName,
    close(graceMs = 10_000) {
      closed ??= (async () => {
        state.closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        for (const start = Date.now(); state.inFlight > 0 && Date.now() - start < graceMs; ) await new Promise((r) => setTimeout(r, 10));
        server.closeAllConnections();
        await stopped;
        // Every sampled request answered before the stop is written before the process may exit.
        await monitor?.close();
        runtime.close();
        served.model.dispose();
      })();
      return closed;
    },
  };
}

/** The monitoring store's writer, or null with `monitor: false`; a store that cannot open is a start-up error, not a silent gap. */
function startMonitor(options: ServeOptions, metrics: ServeMetrics, log: (line: string) => void): MonitorWriter | null {
  if (options.monitor === false) return null;
  return new MonitorWriter(options.db, options.monitor ?? {}, { written: (n) => metrics.monitorWritten.inc(n), failed: (n) => (metrics.monitorFailures.inc(), metrics.monitorLost.inc(n)) }, log);
}

/** The model and how clients address it: a registered version by its name, a run id as `run-ID` version ID. */
async function loadServed(target: string | number, db: string | undefined, runtime: RuntimeName): Promise<Served> {
  if (typeof target === 'number') {
    const model = await loadModel(target, { db });
    return { name: `run-${target}`, version: target, runId: target, model, runtime };
  }
  if (typeof target !== 'string') throw invalidArgument('model', "a registered model ('NAME', 'NAME/VERSION' or 'NAME@ALIAS') or a run id", target);
  const registry = openRegistry({ db, create: false });
  try {
    // Resolved once: an alias moved later does not change what this server answers with.
    const version = resolveModel(registry, target);
    const model = await loadModel(`${version.name}/${version.version}`, { registry });
    return { name: version.name, version: version.version, runId: version.runId, model, runtime };
  } finally {
    registry.close();
  }
}
