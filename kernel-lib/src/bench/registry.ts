/** The registry benchmark: metric points/s through the API vs raw better-sqlite3, query latency, bytes. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { searchRuns } from '../query';
import { openRegistry } from '../registry';
import { openDatabase } from '../registry/database';
import { createRng } from '../repro/rng';

const KEYS = ['loss', 'acc', 'val_loss', 'val_acc', 'lr', 'grad_norm', 'throughput', 'top5', 'f1', 'auc'];

export interface RegistryFigures {
  pointsPerSec: number;
  rawPointsPerSec: number;
  apiToRaw: number;
  queryMs: number;
  queries: { [query: string]: number };
  bytesPerMillionPoints: number;
}

export function benchRegistry(options: { points?: number; runs?: number } = {}): RegistryFigures {
  const points = options.points ?? 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'labbook-bench-'));
  try {
    const api = apiInsert(join(dir, 'api.db'), points);
    const raw = rawInsert(join(dir, 'raw.db'), points);
    const queries = queryLatency(join(dir, 'query.db'), options.runs ?? 10_000);
    return {
      pointsPerSec: Math.round(api.pointsPerSec),
      rawPointsPerSec: Math.round(raw),
      apiToRaw: Number((api.pointsPerSec / raw).toFixed(3)),
      queryMs: Math.max(...Object.values(queries)),
      queries,
      bytesPerMillionPoints: api.bytesPerMillionPoints,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 10 metrics per step, as a training loop logs them, through run.log and the buffered writer. */
function apiInsert(db: string, points: number): { pointsPerSec: number; bytesPerMillionPoints: number } {
  const registry = openRegistry({ db });
  const run = registry.startRun({ experiment: 'bench', config: { points } });
  const steps = points / KEYS.length;
  const row: { [key: string]: number } = {};
  const start = performance.now();
  for (let step = 0; step < steps; step++) {
    for (let k = 0; k < KEYS.length; k++) row[KEYS[k]] = step * 1e-3 + k;
    run.log(row, step);
  }
  run.end();
  const seconds = (performance.now() - start) / 1000;
  registry.db.pragma('wal_checkpoint(TRUNCATE)');
  const before = statSync(db).size;
  registry.close();
  return { pointsPerSec: points / seconds, bytesPerMillionPoints: Math.round((before / points) * 1e6) };
}

/** The same rows with a prepared INSERT in 1000-row transactions: what the API is measured against. */
function rawInsert(path: string, points: number): number {
  const db = openDatabase(path);
  db.prepare(`INSERT INTO experiments (name, created_at) VALUES ('bench', 0)`).run();
  db.prepare(`INSERT INTO runs (experiment_id, status, seed, config, config_hash, env, host, pid, started_at, heartbeat_at)
    VALUES (1, 'running', 0, '{}', '', '{}', '', 0, 0, 0)`).run();
  const insert = db.prepare('INSERT INTO metrics (run_id, key, step, value, time) VALUES (1, ?, ?, ?, ?)');
  const steps = points / KEYS.length;
  const batch = db.transaction((from: number, to: number) => {
    const time = Date.now();
    for (let step = from; step < to; step++) {
      for (let k = 0; k < KEYS.length; k++) insert.run(KEYS[k], step, step * 1e-3 + k, time);
    }
  });
  const stepsPerBatch = 1000 / KEYS.length;
  const start = performance.now();
  for (let step = 0; step < steps; step += stepsPerBatch) batch(step, Math.min(steps, step + stepsPerBatch));
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return points / seconds;
}

/** Filter + sort over `runs` runs of 20 params and 10 metrics each, median of repeated queries. */
function queryLatency(path: string, runs: number): { [query: string]: number } {
  const db = openDatabase(path);
  const rng = createRng(1);
  db.prepare(`INSERT INTO experiments (name, created_at) VALUES ('sweep', 0), ('other', 0)`).run();
  const insertRun = db.prepare(`INSERT INTO runs (experiment_id, status, seed, config, config_hash, env, host, pid, started_at, heartbeat_at, ended_at)
    VALUES (?, ?, ?, ?, '', '{}', 'bench', 0, ?, ?, ?)`);
  const insertParam = db.prepare('INSERT INTO params (run_id, key, value, type) VALUES (?, ?, ?, ?)');
  const insertLatest = db.prepare('INSERT INTO metrics_latest (run_id, key, step, value, time, min, max, count) VALUES (?, ?, 99, ?, 0, ?, ?, 100)');
  db.transaction(() => {
    for (let i = 0; i < runs; i++) {
      const config: { [key: string]: number | string } = { lr: 10 ** (-4 + 3 * rng.next()), optimizer: ['adam', 'sgd', 'rmsprop'][rng.int(3)] };
      for (let p = 2; p < 20; p++) config[`p${p}`] = rng.int(100);
      const id = Number(insertRun.run(1 + (i % 2), i % 10 === 0 ? 'failed' : 'finished', i, JSON.stringify(config), i * 1000, i * 1000, i * 1000 + 5).lastInsertRowid);
      for (const [key, value] of Object.entries(config)) insertParam.run(id, key, value, typeof value);
      for (const key of KEYS) {
        const value = rng.next();
        insertLatest.run(id, key, value, value / 2, value + 0.5);
      }
    }
  })();
  db.pragma('optimize');
  const cases: [string, Parameters<typeof searchRuns>[1]][] = [
    ['config.lr < 0.001 AND metrics.acc > 0.5, sort -metrics.acc, limit 50', { where: 'config.lr < 0.001 AND metrics.acc > 0.5', sort: '-metrics.acc', limit: 50 }],
    ["config.optimizer = 'adam' AND metrics.loss.min < 0.1, sort config.lr, limit 50", { where: "config.optimizer = 'adam' AND metrics.loss.min < 0.1", sort: 'config.lr', limit: 50 }],
    ["experiment sweep, status = 'finished', sort -metrics.val_acc, limit 100", { experiment: 'sweep', where: "status = 'finished'", sort: '-metrics.val_acc', limit: 100 }],
  ];
  const figures: { [query: string]: number } = {};
  for (const [label, query] of cases) {
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const start = performance.now();
      searchRuns(db, query);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    figures[label] = Number(times[Math.floor(times.length / 2)].toFixed(2));
  }
  db.close();
  return figures;
}
