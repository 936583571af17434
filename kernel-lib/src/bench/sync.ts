/**
 * The sync benchmark: 8 writer processes, each syncing its own local registry to one PostgreSQL
 * (LABBOOK_TEST_PG, a role that may CREATE DATABASE; a fresh database is made and dropped) →
 * total points/s; and the per-trial overhead of syncing a ~100-point run right after it ends.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRegistry } from '../registry';
import { withScratchDatabase } from './pg';
import { openTeamStore } from '../team/connect';
import { redactUrl, syncToTeam } from '../team/sync';

const KEYS = ['loss', 'acc', 'val_loss', 'val_acc', 'lr', 'grad_norm', 'throughput', 'top5', 'f1', 'auc'];

export interface SyncFigures {
  server: string;
  writers: number;
  points: number;
  seconds: number;
  pointsPerSec: number;
  goalPointsPerSec: number;
  /** The 1-minute load average before and after the writers ran: this machine is shared, so a figure is only as quiet as this. */
  loadAverage: { before: number; after: number };
  trialSyncOverheadMs: { median: number; samples: number[] };
}

export async function benchSync(options: { writers?: number; pointsPerWriter?: number; pg?: string } = {}): Promise<SyncFigures> {
  const writers = options.writers ?? 8;
  const perWriter = options.pointsPerWriter ?? 200_000;
  return withScratchDatabase('sync', async (url) => {
    const dir = mkdtempSync(join(tmpdir(), 'labbook-bench-sync-'));
    try {
      await (await openTeamStore(url, { max: 1 })).close();
      const children = Array.from({ length: writers }, (_, i) => writer(join(dir, `w${i}`, 'labbook.db'), url, perWriter));
      await Promise.all(children.map((c) => c.ready));
      const before = loadavg()[0];
      children.forEach((c) => c.go());
      const done = await Promise.all(children.map((c) => c.done));
      const after = loadavg()[0];
      const start = Math.min(...done.map((d) => d.start));
      const end = Math.max(...done.map((d) => d.end));
      const points = done.reduce((sum, d) => sum + d.points, 0);
      const seconds = (end - start) / 1000;
      return {
        server: redactUrl(url),
        writers,
        points,
        seconds: Number(seconds.toFixed(3)),
        pointsPerSec: Math.round(points / seconds),
        goalPointsPerSec: 200_000,
        loadAverage: { before: Number(before.toFixed(2)), after: Number(after.toFixed(2)) },
        trialSyncOverheadMs: await trialOverhead(join(dir, 'trials.db'), url),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, options.pg);
}

/** A writer process: records its run, says "ready", and on "go" syncs it and reports when it ran. */
function writer(db: string, url: string, points: number) {
  const child = spawn(process.execPath, [__filename, 'writer', db, url, String(points)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let signalReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  const done = new Promise<{ points: number; start: number; end: number }>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ready\n')) signalReady();
    });
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`sync writer exited with ${code}: ${out}`));
      else resolve(JSON.parse(line));
    });
  });
  return { ready, done, go: () => child.stdin.end('go\n') };
}

async function writerMain(db: string, url: string, points: number): Promise<void> {
  const registry = openRegistry({ db });
  const run = registry.startRun({ experiment: 'bench-sync', config: { points }, seed: 1 });
  const steps = Math.ceil(points / KEYS.length);
  for (let s = 0; s < steps; s++) {
    const m: { [key: string]: number } = {};
    for (const [k, key] of KEYS.entries()) m[key] = Math.sin(s + k);
    run.log(m, s);
  }
  run.end();
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const start = Date.now();
  const result = await syncToTeam(registry, url);
  const end = Date.now();
  registry.close();
  if (result.error) throw new Error(result.error);
  process.stdout.write(`${JSON.stringify({ points: result.points, start, end })}\n`);
}

/** What syncing adds to a trial: a ~100-point run synced right after it ends (median of 7). */
async function trialOverhead(db: string, url: string): Promise<{ median: number; samples: number[] }> {
  const registry = openRegistry({ db });
  const samples: number[] = [];
  try {
    for (let i = 0; i < 7; i++) {
      const run = registry.startRun({ experiment: 'bench-trial', config: { i }, seed: i + 1 });
      for (let s = 0; s < 50; s++) run.log({ loss: 1 / (s + 1), acc: s / 50 }, s);
      run.end();
      const t0 = process.hrtime.bigint();
      const result = await syncToTeam(registry, url, { runIds: [run.id] });
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (result.error) throw new Error(result.error);
    }
  } finally {
    registry.close();
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: Number(sorted[3].toFixed(1)), samples: samples.map((s) => Number(s.toFixed(1))) };
}

if (require.main === module && process.argv[2] === 'writer') {
  writerMain(process.argv[3], process.argv[4], Number(process.argv[5])).catch((error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exitCode = 1;
  });
}
