/**
 * The serving benchmark: the reference MLP and the spam transformer, registered in a temp
 * registry and served by `labbook serve` (a real child process on 127.0.0.1:0) under each
 * runtime (tfjs, onnx), driven from a second process (serve-load.ts): an open-loop run at a
 * fixed rate (latency) and a closed-loop run (capacity), each the median of `repeats`; next to
 * the same runtime called in-process ("direct"). Monitoring is on, as `labbook serve` runs by default;
 * `monitor: ['on', 'off']` also measures each with --no-monitor.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { initBackend } from '../backend';
import { loadModel } from '../model-package';
import { createRuntime, type RuntimeName } from '../serve/runtime';
import type { LoadResult, LoadSpec } from './serve-load';
import { registerBenchModels, type BenchModel } from './serve-models';

const CLI = join(__dirname, '..', 'cli', 'main.js');
/** The server's batching defaults (startServer's): the settings measured. */
const MAX_BATCH = 32;

interface Batches {
  /** Model calls and the examples in them while load was measured (from /metrics' labbook_serve_batch_size). */
  calls: number;
  meanSize: number;
  /** Calls per histogram bucket ("≤N": count). */
  histogram: { [le: string]: number };
}

export interface ServeFigure {
  model: string;
  runtime: RuntimeName;
  /** on: the server's default (every request sampled into the monitoring store); off: --no-monitor. */
  monitor: Monitoring;
  /** Fixed-rate, open-loop: latency from each request's due time. */
  open: (LoadResult & { batches: Batches }) | null;
  /** Closed loop with MAX_BATCH requests outstanding: the most the server answers per second. */
  capacity: (LoadResult & { batches: Batches }) | null;
  /** The same runtime's predict() in this process: examples/s one at a time and in the batch sizes the server formed. */
  direct: { perExampleRps: number; batchedRps: { [size: string]: number } } | null;
  /** capacity.achievedRps / direct at the server's mean batch size under capacity load (goal ≥ 0.8). */
  ratio: number | null;
  goals: { p99UnderMs: number | null; ratioAtLeast: number };
  error?: string;
}

type Monitoring = 'on' | 'off';

export async function benchServe(options: { seconds?: number; repeats?: number; models?: string[]; runtimes?: string[]; monitor?: string[]; transformerRate?: number } = {}): Promise<{ loadAverage: { before: number; after: number }; figures: ServeFigure[] }> {
  const seconds = options.seconds ?? 5;
  const repeats = options.repeats ?? 3;
  await initBackend({});
  const dir = mkdtempSync(join(tmpdir(), 'labbook-bench-serve-'));
  const db = join(dir, 'labbook.db');
  const before = loadavg()[0];
  try {
    const models = (await registerBenchModels(db, { mlp: 1000, transformer: options.transformerRate ?? 100 })).filter((m) => !options.models || options.models.includes(m.name));
    const runtimes = (options.runtimes ?? ['tfjs', 'onnx']) as RuntimeName[];
    const monitoring = (options.monitor ?? ['on']) as Monitoring[];
    const wrong = monitoring.find((m) => m !== 'on' && m !== 'off');
    if (wrong !== undefined) throw new Error(`Invalid --monitor: expected on, off or on,off, received ${JSON.stringify(wrong)}.`);
    const figures: ServeFigure[] = [];
    for (const model of models) for (const runtime of runtimes) for (const monitor of monitoring) figures.push(await benchOne(model, runtime, monitor, db, seconds, repeats));
    return { loadAverage: { before, after: loadavg()[0] }, figures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchOne(model: BenchModel, runtime: RuntimeName, monitor: Monitoring, db: string, seconds: number, repeats: number): Promise<ServeFigure> {
  const figure: ServeFigure = { model: model.name, runtime, monitor, open: null, capacity: null, direct: null, ratio: null, goals: { p99UnderMs: model.name === 'mlp' ? 10 : null, ratioAtLeast: 0.8 } };
  let server: { child: ChildProcess; url: string } | null = null;
  try {
    server = await startServe(`bench-${model.name}`, runtime, monitor, db);
    const url = `${server.url}/v1/models/bench-${model.name}:predict`;
    const open: (LoadResult & { batches: Batches })[] = [];
    const closed: (LoadResult & { batches: Batches })[] = [];
    // A cold server's first calls build kernels and JIT the handlers: not what a running service pays.
    await measured(server.url, { url, body: model.body, mode: 'closed', concurrency: 8, warmupSeconds: 0, seconds: 2 });
    for (let r = 0; r < repeats; r++) {
      open.push(await measured(server.url, { url, body: model.body, mode: 'open', rate: model.rate, warmupSeconds: 1, seconds }));
      closed.push(await measured(server.url, { url, body: model.body, mode: 'closed', concurrency: MAX_BATCH, warmupSeconds: 1, seconds }));
    }
    figure.open = medianRun(open);
    figure.capacity = medianRun(closed);
  } catch (error) {
    figure.error = (error as Error).message;
    return figure;
  } finally {
    server?.child.kill('SIGTERM');
    if (server) await new Promise((r) => server!.child.once('close', r));
  }
  const formed = Math.max(1, Math.round(figure.capacity.batches.meanSize));
  figure.direct = await direct(model, runtime, db, [...new Set([1, formed, MAX_BATCH])], seconds, repeats);
  const atServer = figure.direct.batchedRps[String(formed)];
  figure.ratio = Number((figure.capacity.achievedRps / atServer).toFixed(3));
  return figure;
}

/** `labbook serve` as a child process, once its startup line names the port. */
function startServe(name: string, runtime: RuntimeName, monitor: Monitoring, db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', name, '--db', db, '--port', '0', '--runtime', runtime, ...(monitor === 'off' ? ['--no-monitor'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const port = /\(port (\d+)\)/.exec(out)?.[1];
      if (port) resolve({ child, url: `http://127.0.0.1:${port}` });
    });
    child.stderr!.on('data', (d) => (err += d));
    child.once('close', (code) => reject(new Error(`labbook serve --runtime ${runtime} exited (${code}) before serving: ${err.trim().split('\n').pop()}`)));
  });
}

/** One load run from a second process, with the batches the server formed after the warm-up. */
async function measured(server: string, spec: LoadSpec): Promise<LoadResult & { batches: Batches }> {
  const child = fork(join(__dirname, 'serve-load.js'), [JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  let atWarm: Promise<Map<string, number>> = batchHistogram(server);
  child.on('message', () => (atWarm = batchHistogram(server)));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  if (code !== 0) throw new Error(`load generator failed (${code}): ${err.trim()}`);
  const [start, end] = [await atWarm, await batchHistogram(server)];
  const delta = new Map([...end].map(([k, v]) => [k, v - (start.get(k) ?? 0)]));
  const calls = delta.get('count') ?? 0;
  const histogram: { [le: string]: number } = {};
  let below = 0;
  for (const [k, v] of delta) if (k.startsWith('le:') && k !== 'le:+Inf') (histogram[`≤${k.slice(3)}`] = v - below), (below = v);
  return { ...(JSON.parse(out) as LoadResult), batches: { calls, meanSize: calls ? Number(((delta.get('sum') ?? 0) / calls).toFixed(2)) : 0, histogram } };
}

/** labbook_serve_batch_size's cumulative buckets, sum and count, read from /metrics. */
async function batchHistogram(server: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${server}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^labbook_serve_batch_size_(bucket\{le="([^"]+)"\}|sum|count) (\S+)$/.exec(line);
    if (m) values.set(m[2] !== undefined ? `le:${m[2]}` : m[1], Number(m[3]));
  }
  return values;
}

/** The run with the median achieved rate (its latencies and batches kept together, as measured). */
function medianRun<T extends { achievedRps: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.achievedRps - b.achievedRps)[runs.length >> 1];
}

/** Examples/s of the runtime's predict() in this process, per batch size: medians of `repeats` timings of about seconds/5 each. */
async function direct(model: BenchModel, runtime: RuntimeName, db: string, sizes: number[], seconds: number, repeats: number): Promise<{ perExampleRps: number; batchedRps: { [size: string]: number } }> {
  const ready = await loadModel(`bench-${model.name}`, { db });
  const engine = await createRuntime(runtime, ready, { cacheDir: join(dirname(db), 'cache', 'onnx') });
  try {
    const rates: { [size: string]: number } = {};
    for (const size of sizes) {
      const batch = Array.from({ length: size }, () => model.example);
      for (let warm = performance.now(); performance.now() - warm < 500; ) await engine.predict(batch);
      const runs: number[] = [];
      for (let r = 0; r < repeats; r++) {
        let n = 0;
        const start = performance.now();
        while (performance.now() - start < (seconds * 1000) / 5) {
          await engine.predict(batch);
          n += size;
        }
        runs.push(n / ((performance.now() - start) / 1000));
      }
      rates[String(size)] = Number(runs.sort((a, b) => a - b)[runs.length >> 1].toFixed(1));
    }
    return { perExampleRps: rates['1'], batchedRps: rates };
  } finally {
    engine.close();
    ready.dispose();
  }
}
