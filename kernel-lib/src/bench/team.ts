/**
 * The team store benchmark: filter+sort latency at 100,000 runs × 20 params × 10 metrics on
 * PostgreSQL (LABBOOK_TEST_PG or --pg=URL: a role that may CREATE DATABASE; a fresh database is
 * made and dropped), after a bulk load by multi-row INSERT ... SELECT unnest(arrays) whose time is
 * reported too. Goal: < 100 ms per query.
 */
import { loadavg } from 'node:os';
import { withScratchDatabase } from './pg';
import { openTeamStore, type TeamStore } from '../team/connect';
import { searchTeamRuns } from '../team/search';
import { redactUrl } from '../team/url';

const METRICS = ['acc', 'loss', 'val_acc', 'val_loss', 'lr', 'grad_norm', 'throughput', 'top5', 'f1', 'auc'];
const OPTIMIZERS = ['adam', 'sgd', 'adamw', 'rmsprop'];

export const TEAM_QUERIES: { where?: string; sort: string; experiment?: string }[] = [
  { where: 'config.lr < 0.01 AND metrics.acc > 0.9', sort: '-metrics.acc' },
  { where: "config.optimizer = 'adam' AND config.batch >= 256", sort: '-started_at' },
  { where: 'metrics.loss < 0.05', sort: 'config.lr' },
  { where: "tags.team = 'vision' AND metrics.val_acc.max > 0.95", sort: '-metrics.val_acc' },
  { experiment: 'exp-3', where: 'config.p07 > 0.5', sort: '-metrics.f1' },
  { sort: '-metrics.acc' },
];

export interface TeamFigures {
  server: string;
  runs: number;
  params: number;
  metrics: number;
  loadSeconds: number;
  queries: { where: string | null; sort: string; experiment: string | null; matched: number; medianMs: number; worstMs: number }[];
  medianMs: number;
  worstMs: number;
  goalMs: number;
  /** The machine's 1/5/15-minute load averages as the queries ended: shared machines make medians move. */
  loadAverage: number[];
}

/** A small LCG: the same data on every run of the benchmark (and no Math.random). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function benchTeam(options: { pg?: string; runs?: number; repeats?: number } = {}): Promise<TeamFigures> {
  const runs = options.runs ?? 100_000;
  const repeats = options.repeats ?? 7;
  return withScratchDatabase('team', async (url) => {
    let store: TeamStore | undefined;
    try {
      store = await openTeamStore(url, { max: 4, statementTimeoutMs: 600_000 });
      const t0 = performance.now();
      await loadBenchRuns(store, runs);
      // As autovacuum would soon: statistics for the planner, the visibility map for index-only scans.
      await store.query('VACUUM ANALYZE');
      const loadSeconds = (performance.now() - t0) / 1000;
      const queries: TeamFigures['queries'] = [];
      for (const q of TEAM_QUERIES) {
        const times: number[] = [];
        let matched = 0;
        for (let i = 0; i < repeats; i++) {
          const start = performance.now();
          matched = (await searchTeamRuns(store, { ...q, limit: 50 })).length;
          times.push(performance.now() - start);
        }
        queries.push({ where: q.where ?? null, sort: q.sort, experiment: q.experiment ?? null, matched, medianMs: round(median(times)), worstMs: round(Math.max(...times)) });
      }
      return {
        server: redactUrl(url),
        runs,
        params: 20,
        metrics: METRICS.length,
        loadSeconds: round(loadSeconds),
        queries,
        medianMs: round(median(queries.map((q) => q.medianMs))),
        worstMs: round(Math.max(...queries.map((q) => q.worstMs))),
        goalMs: 100,
        loadAverage: loadavg().map(round),
      };
    } finally {
      await store?.close();
    }
  }, options.pg);
}

/** Runs in chunks: each table's rows as column arrays, one INSERT ... SELECT unnest(...) per table per chunk. */
export async function loadBenchRuns(store: TeamStore, runs: number): Promise<void> {
  const random = prng(42);
  await store.query("INSERT INTO experiments (id, name, created_at) SELECT g, 'exp-' || g, 0 FROM generate_series(1, 10) g");
  const CHUNK = 5_000;
  for (let first = 1; first <= runs; first += CHUNK) {
    const ids: number[] = [];
    const cols = { run: [] as number[], exp: [] as number[], config: [] as string[], started: [] as number[] };
    const params = { run: [] as number[], key: [] as string[], type: [] as string[], num: [] as (number | null)[], text: [] as (string | null)[] };
    const metrics = { run: [] as number[], key: [] as string[], value: [] as number[], min: [] as number[], max: [] as number[] };
    const tags = { run: [] as number[], value: [] as string[] };
    for (let id = first; id < Math.min(first + CHUNK, runs + 1); id++) {
      ids.push(id);
      const config: { [key: string]: number | string } = {
        lr: Number((10 ** (-5 + 4 * random())).toPrecision(6)),
        optimizer: OPTIMIZERS[Math.floor(random() * OPTIMIZERS.length)],
        batch: 2 ** (4 + Math.floor(random() * 6)),
      };
      for (let p = 3; p < 20; p++) config[`p${String(p).padStart(2, '0')}`] = Number(random().toFixed(6));
      cols.run.push(id);
      cols.exp.push(1 + (id % 10));
      cols.config.push(JSON.stringify(config));
      cols.started.push(1_700_000_000_000 + id * 1000);
      for (const key of Object.keys(config).sort()) {
        const value = config[key];
        params.run.push(id);
        params.key.push(key);
        params.type.push(typeof value === 'number' ? 'number' : 'string');
        params.num.push(typeof value === 'number' ? value : null);
        params.text.push(typeof value === 'string' ? value : null);
      }
      for (const key of METRICS) {
        const value = random();
        metrics.run.push(id);
        metrics.key.push(key);
        metrics.value.push(value);
        metrics.min.push(value * random());
        metrics.max.push(value + (1 - value) * random());
      }
      tags.run.push(id);
      tags.value.push(['vision', 'nlp', 'speech', 'rl'][id % 4]);
    }
    await store.query(
      `INSERT INTO runs (id, experiment_id, status, seed, config, config_hash, env, host, pid, started_at, ended_at, heartbeat_at, origin, origin_run_id, synced_at)
       SELECT id, exp, 'finished', id, config, md5(config), '{}', 'bench', 1, started, started + 60000, started, 'bench', id, 0
       FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[]) AS t(id, exp, config, started)`,
      [cols.run, cols.exp, cols.config, cols.started],
    );
    await store.query('INSERT INTO params (run_id, key, type, num, text) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::float8[], $5::text[])', [
      params.run,
      params.key,
      params.type,
      params.num,
      params.text,
    ]);
    await store.query(
      'INSERT INTO metrics_latest (run_id, key, step, value, time, min, max, count) SELECT r, k, 99, v, 0, mn, mx, 100 FROM unnest($1::bigint[], $2::text[], $3::float8[], $4::float8[], $5::float8[]) AS t(r, k, v, mn, mx)',
      [metrics.run, metrics.key, metrics.value, metrics.min, metrics.max],
    );
    await store.query("INSERT INTO tags (run_id, key, value) SELECT r, 'team', v FROM unnest($1::bigint[], $2::text[]) AS t(r, v)", [tags.run, tags.value]);
  }
  await store.query("SELECT setval('runs_id_seq', (SELECT max(id) FROM runs))");
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const round = (x: number) => Number(x.toFixed(2));

