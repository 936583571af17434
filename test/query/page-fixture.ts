/**
 * Runs for the page-query tests on both stores: few distinct values (long runs of ties), one key
 * holding every type across runs, NaN metrics, tags and parents, drawn from a fixed seed.
 */
import type { Db } from '../../kernel-lib/src/registry/database';
import { flattenParams } from '../../kernel-lib/src/registry/params';
import type { Config, RunStatus } from '../../kernel-lib/src/registry/types';
import { createRng } from '../../kernel-lib/src/repro/rng';

const RUNS = 2000;

/** Filters both stores' page tests ask (each adds its own). */
export const PAGE_FILTERS = [
  '',
  'config.lr < 0.05',
  'metrics.acc > 0.4',
  "status = 'finished' AND tags.team = 'a'",
  'config.mixed IS NULL',
  'NOT (metrics.acc >= 0.9)',
  "experiment = 'b' OR config.opt IN ('adam', 'sgd')",
];

export function fillPages(db: Db, statuses: readonly RunStatus[] = ['finished', 'finished', 'failed', 'running', 'killed']): void {
  const rng = createRng(11);
  const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)];
  for (const name of ['a', 'b', 'c']) db.prepare('INSERT INTO experiments (name, created_at) VALUES (?, 0)').run(name);
  const run = db.prepare(`INSERT INTO runs (id, experiment_id, name, status, seed, config, config_hash, env, host, pid,
    started_at, ended_at, heartbeat_at, parent_id) VALUES (?, ?, ?, ?, ?, ?, 'h', '{}', 'test', 1, ?, ?, ?, ?)`);
  const param = db.prepare('INSERT INTO params (run_id, key, value, type) VALUES (?, ?, ?, ?)');
  const latest = db.prepare('INSERT INTO metrics_latest (run_id, key, step, value, time, min, max, count) VALUES (?, ?, 1, ?, 0, ?, ?, 2)');
  const tag = db.prepare('INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let id = 1; id <= RUNS; id++) {
      const config: Config = {};
      // Few distinct values, so most sorts have long runs of ties.
      if (rng.next() < 0.85) config.lr = pick([0.1, 0.01, 0.001, 1, 3, 0.01]);
      if (rng.next() < 0.9) config.opt = pick(['adam', 'sgd', 'rmsprop']);
      // One key holding numbers, text, booleans, JSON and null across runs.
      if (rng.next() < 0.8) config.mixed = pick<Config[string]>([1, 2.5, '7', 'abc', 'B', true, false, null, [1, 2], { x: 1 }]);
      const status = pick(statuses);
      const started = 1_700_000_000_000 + rng.int(40) * 1000;
      run.run(
        id,
        1 + rng.int(3),
        rng.next() < 0.5 ? pick(['x', 'y', 'z']) : null,
        status,
        rng.int(5),
        JSON.stringify(config),
        started,
        rng.next() < 0.3 ? null : started + rng.int(5) * 1000,
        started,
        id > 10 && rng.next() < 0.3 ? 1 + rng.int(10) : null,
      );
      for (const p of flattenParams(config)) param.run(id, p.key, p.value, p.type);
      if (rng.next() < 0.85) {
        // NaN is stored as NULL, with min/max NULL when no finite value was logged.
        const value = rng.next() < 0.1 ? null : pick([0.1, 0.5, 0.9, 0.95, 0.3]);
        latest.run(id, 'acc', value, value === null ? pick([null, 0.2]) : value / 2, value === null ? null : pick([value, 1]));
      }
      if (rng.next() < 0.6) latest.run(id, 'loss', pick([0.2, 0.4, 1.5]), 0.1, 2);
      if (rng.next() < 0.7) tag.run(id, 'team', pick(['a', 'b', 'B', '']));
    }
  })();
}
