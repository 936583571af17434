/** Test registries for the query suites: real SQLite files in a temp dir, rows written with raw SQL. */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Db } from '../../kernel-lib/src/registry/database';
import { MIGRATIONS } from '../../kernel-lib/src/registry/migrations';
import { flattenParams } from '../../kernel-lib/src/registry/params';
import type { Config, Json, RunStatus } from '../../kernel-lib/src/registry/types';
import { tempDir } from '../support/temp';

export interface RunSpec {
  experiment?: string;
  name?: string | null;
  status?: RunStatus;
  seed?: number;
  config?: Config;
  env?: { [key: string]: Json };
  codeHash?: string | null;
  startedAt?: number | string;
  endedAt?: number | null;
  /** key -> [step, value] points; value null stands for a logged NaN. */
  metrics?: { [key: string]: [number, number | null][] };
  tags?: { [key: string]: string };
  datasets?: { name: string; sha256: string; rows: number; columns: number }[];
  checkpoints?: { step: number; sha256: string }[];
}

export function makeDb(): Db {
  const db = new Database(join(tempDir('labbook-query-'), 'registry.db'));
  db.pragma('journal_mode = WAL');
  for (const migration of MIGRATIONS) db.exec(migration);
  return db;
}

const ms = (t: number | string): number => (typeof t === 'string' ? Date.parse(t) : t);

export function addRun(db: Db, spec: RunSpec = {}): number {
  const experiment = spec.experiment ?? 'mnist';
  db.prepare('INSERT OR IGNORE INTO experiments (name, created_at) VALUES (?, 0)').run(experiment);
  const experimentId = db.prepare('SELECT id FROM experiments WHERE name = ?').pluck().get(experiment) as number;
  const config = spec.config ?? {};
  const startedAt = ms(spec.startedAt ?? 1_700_000_000_000);
  const id = Number(
    db
      .prepare(
        `INSERT INTO runs (experiment_id, name, status, seed, config, config_hash, code_hash, env, host, pid,
           started_at, ended_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'test-host', 1, ?, ?, ?)`,
      )
      .run(
        experimentId,
        spec.name ?? null,
        spec.status ?? 'finished',
        spec.seed ?? 0,
        JSON.stringify(config),
        `hash-${JSON.stringify(config).length}`,
        spec.codeHash ?? null,
        JSON.stringify(spec.env ?? {}),
        startedAt,
        spec.endedAt === undefined ? startedAt + 1000 : spec.endedAt,
        startedAt,
      ).lastInsertRowid,
  );
  const param = db.prepare('INSERT INTO params (run_id, key, value, type) VALUES (?, ?, ?, ?)');
  for (const p of flattenParams(config)) param.run(id, p.key, p.value, p.type);
  const point = db.prepare('INSERT INTO metrics (run_id, key, step, value, time) VALUES (?, ?, ?, ?, ?)');
  const latest = db.prepare(
    'INSERT INTO metrics_latest (run_id, key, step, value, time, min, max, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const [key, points] of Object.entries(spec.metrics ?? {})) {
    for (const [step, value] of points) point.run(id, key, step, value, startedAt + step);
    const last = points.reduce((a, b) => (b[0] > a[0] ? b : a));
    const finite = points.map((p) => p[1]).filter((v): v is number => v !== null);
    const min = finite.length ? Math.min(...finite) : null;
    const max = finite.length ? Math.max(...finite) : null;
    latest.run(id, key, last[0], last[1], startedAt + last[0], min, max, points.length);
  }
  const tag = db.prepare('INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?)');
  for (const [key, value] of Object.entries(spec.tags ?? {})) tag.run(id, key, value);
  const dataset = db.prepare('INSERT INTO datasets (run_id, name, sha256, rows, columns) VALUES (?, ?, ?, ?, ?)');
  for (const d of spec.datasets ?? []) dataset.run(id, d.name, d.sha256, d.rows, d.columns);
  const checkpoint = db.prepare('INSERT INTO checkpoints (run_id, step, sha256, bytes, created_at) VALUES (?, ?, ?, 10, 0)');
  for (const c of spec.checkpoints ?? []) checkpoint.run(id, c.step, c.sha256);
  return id;
}
