/** The scale benchmark: searchRuns filter+sort latency over a registry of a million runs (issue 10's goal: < 100 ms). */
import { createHash } from 'node:crypto';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { searchRuns, type SearchOptions } from '../query/search';
import { openDatabase, type Db } from '../registry/database';
import { flattenParams } from '../registry/params';
import type { Config } from '../registry/types';
import { createRng } from '../repro/rng';
import { PAGE_INDEXES } from '../query/page';

const GOAL_MS = 100;
/** Bump when the generated content changes, so a cached file of the old content is not reused. */
const CONTENT_VERSION = 1;
const REPEATS = 5;

export interface ScaleFigures {
  registry: { path: string; bytes: number; runs: number; cached: boolean; buildSeconds: number | null };
  goalMs: number;
  queries: { [query: string]: { medianMs: number; worstMs: number; goalMs: number; rows: number } };
}

const CASES: [string, SearchOptions][] = [
  ["config.lr < 0.01 AND metrics.acc > 0.9, sort -metrics.acc", { where: 'config.lr < 0.01 AND metrics.acc > 0.9', sort: '-metrics.acc' }],
  ["experiment = 'cifar' AND tags.team = 'a', sort -started_at", { where: "experiment = 'cifar' AND tags.team = 'a'", sort: '-started_at' }],
  ["status = 'finished', sort metrics.loss", { where: "status = 'finished'", sort: 'metrics.loss' }],
  ["config.optimizer IN ('adam','sgd'), sort config.lr", { where: "config.optimizer IN ('adam', 'sgd')", sort: 'config.lr' }],
  ['parent = 123', { where: 'parent = 123' }],
  ['parent = 123, sort -metrics.acc', { where: 'parent = 123', sort: '-metrics.acc' }],
  ["experiment 'imdb' (option), sort -metrics.val_loss", { experiment: 'imdb', sort: '-metrics.val_loss' }],
  ["tags.team = 'b', sort -metrics.val_acc,config.batch_size", { where: "tags.team = 'b'", sort: '-metrics.val_acc,config.batch_size' }],
  ['metrics.loss.min < 0.05, sort metrics.loss.min', { where: 'metrics.loss.min < 0.05', sort: 'metrics.loss.min' }],
  ['no filter, newest first', {}],
  // The walk's worst case: a filter no run passes, so the sort key's whole index is read.
  ['config.lr < 1e-7 (no run matches), sort -metrics.acc', { where: 'config.lr < 0.0000001', sort: '-metrics.acc' }],
];

export function benchScale(options: { runs?: number } = {}): ScaleFigures {
  const runs = options.runs ?? 1_000_000;
  const { path, cached, buildSeconds } = registryFile(runs);
  const db = openDatabase(path);
  try {
    // The indexes the page query reads for .min/.max sorts, until a migration ships them (see
    // PAGE_INDEXES). No ANALYZE: the registry never runs it, so the planner works without statistics.
    db.exec(PAGE_INDEXES);
    const queries: ScaleFigures['queries'] = {};
    for (const [label, query] of CASES) {
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < REPEATS; i++) {
        const start = performance.now();
        rows = searchRuns(db, { ...query, limit: 50 }).length;
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      const ms = (t: number) => Number(t.toFixed(2));
      queries[label] = { medianMs: ms(times[Math.floor(REPEATS / 2)]), worstMs: ms(times[REPEATS - 1]), goalMs: GOAL_MS, rows };
    }
    return { registry: { path, bytes: statSync(path).size, runs, cached, buildSeconds }, goalMs: GOAL_MS, queries };
  } finally {
    db.close();
  }
}

/**
 * The registry file for `runs` runs, built once and reused: its name is a hash of what is in it.
 * It lives under os.tmpdir(), never in the repository; delete it to rebuild.
 */
function registryFile(runs: number): { path: string; cached: boolean; buildSeconds: number | null } {
  const key = createHash('sha256').update(JSON.stringify({ CONTENT_VERSION, runs })).digest('hex').slice(0, 16);
  const path = join(tmpdir(), `labbook-bench-scale-${key}.db`);
  if (existsSync(path)) return { path, cached: true, buildSeconds: null };
  const partial = `${path}.partial`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(partial + suffix, { force: true });
  process.stderr.write(`scale: building ${runs} runs in ${path} (once; later runs reuse it)\n`);
  const start = performance.now();
  const db = openDatabase(partial);
  try {
    build(db, runs);
  } finally {
    db.close();
  }
  // Renamed only once complete, so a build cut short is never taken for a finished one.
  renameSync(partial, path);
  return { path, cached: false, buildSeconds: Number(((performance.now() - start) / 1000).toFixed(1)) };
}

const EXPERIMENTS = ['mnist', 'cifar', 'imdb'];
const STATUSES = ['finished', 'finished', 'finished', 'finished', 'finished', 'finished', 'failed', 'killed', 'crashed', 'running'] as const;
const OPTIMIZERS = ['adam', 'sgd', 'rmsprop', 'adamw'];
const TEAMS = ['a', 'b', 'c', 'd', 'e'];
/** Runs per sweep: the first run of each block is the parent of the rest (so run 123 has children). */
const SWEEP = 40;

/**
 * Bulk-loads `runs` runs straight into the tables with prepared statements in transactions of
 * 10,000 runs: the run API (startRun, log, end) would take hours at a million runs, and what is
 * measured here is reading, not writing. The rows are what the API writes: params flattened with
 * their types, metrics_latest with min/max, NaN as NULL.
 */
function build(db: Db, runs: number): void {
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('cache_size = -262144');
  const rng = createRng(7);
  db.prepare('INSERT INTO experiments (id, name, created_at) VALUES (?, ?, 0)').run(1, EXPERIMENTS[0]);
  db.prepare('INSERT INTO experiments (id, name, created_at) VALUES (?, ?, 0)').run(2, EXPERIMENTS[1]);
  db.prepare('INSERT INTO experiments (id, name, created_at) VALUES (?, ?, 0)').run(3, EXPERIMENTS[2]);
  const insertRun = db.prepare(`INSERT INTO runs (id, experiment_id, name, status, seed, config, config_hash, env, host, pid,
    started_at, ended_at, heartbeat_at, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, '{}', 'bench', 1, ?, ?, ?, ?)`);
  const insertParam = db.prepare('INSERT INTO params (run_id, key, value, type) VALUES (?, ?, ?, ?)');
  const insertLatest = db.prepare('INSERT INTO metrics_latest (run_id, key, step, value, time, min, max, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const insertTag = db.prepare('INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?)');
  const batch = db.transaction((from: number, to: number) => {
    for (let id = from; id < to; id++) {
      const status = STATUSES[rng.int(STATUSES.length)];
      const config: Config = {
        lr: Number((10 ** (-5 + 4 * rng.next())).toPrecision(3)),
        optimizer: OPTIMIZERS[rng.int(OPTIMIZERS.length)],
        batch_size: 2 ** (5 + rng.int(4)),
        epochs: 10 + rng.int(91),
        model: { units: 32 * (1 + rng.int(16)) },
      };
      if (rng.next() < 0.6) config.dropout = Number((rng.next() * 0.5).toFixed(2));
      if (rng.next() < 0.5) config.use_bn = rng.next() < 0.5;
      if (rng.next() < 0.3) config.scheduler = rng.next() < 0.3 ? null : 'cosine';
      const started = 1_700_000_000_000 + id * 60_000;
      const sweepStart = id - ((id - 3 + SWEEP) % SWEEP);
      const parent = id > 3 && sweepStart !== id ? sweepStart : null;
      const json = JSON.stringify(config);
      insertRun.run(
        id,
        1 + rng.int(EXPERIMENTS.length),
        rng.next() < 0.2 ? `run-${id}` : null,
        status,
        id,
        json,
        `cfg${json.length}-${id % 997}`,
        started,
        status === 'running' ? null : started + 30_000,
        started + 30_000,
        parent,
      );
      for (const p of flattenParams(config)) insertParam.run(id, p.key, p.value, p.type);
      const quality = rng.next();
      const metric = (key: string, value: number | null, steps: number) =>
        insertLatest.run(id, key, steps - 1, value, started + steps, value === null ? null : value * 0.9, value === null ? null : value * 1.1 + 0.01, steps);
      const steps = 10 + rng.int(990);
      // A failed run may have diverged: NaN (stored as NULL) for its loss.
      metric('loss', status === 'failed' && rng.next() < 0.3 ? null : Number((2 * (1 - quality) ** 2 + 0.01 * rng.next()).toFixed(6)), steps);
      metric('acc', Number((quality * 0.99).toFixed(4)), steps);
      if (rng.next() < 0.7) metric('val_loss', Number((2.2 * (1 - quality) ** 2 + 0.02 * rng.next()).toFixed(6)), steps);
      if (rng.next() < 0.5) metric('val_acc', Number((quality * 0.97).toFixed(4)), steps);
      if (rng.next() < 0.2) metric('f1', Number(quality.toFixed(3)), steps);
      if (rng.next() < 0.8) insertTag.run(id, 'team', TEAMS[rng.int(TEAMS.length)]);
      if (rng.next() < 0.3) insertTag.run(id, 'note', rng.next() < 0.5 ? 'baseline' : 'ablation');
    }
  });
  const step = 10_000;
  for (let from = 1; from <= runs; from += step) batch(from, Math.min(runs + 1, from + step));
}
