/**
 * Test-only: copies a SQLite registry's rows into a team store, ids and all, so a conformance test
 * can ask both the same question. This is not sync (another module's job: origin, resume, order);
 * it mirrors the rows exactly and nothing more.
 */
import type { Db } from '../../kernel-lib/src/registry/database';
import type { TeamStore } from '../../kernel-lib/src/team/connect';

type Row = Record<string, unknown>;

/** Inserts `rows` into `table` with one multi-row INSERT per 500 rows. */
async function insert(store: TeamStore, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  for (let at = 0; at < rows.length; at += 500) {
    const chunk = rows.slice(at, at + 500);
    const params: unknown[] = [];
    const values = chunk.map((row) => `(${row.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`);
    await store.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`, params);
  }
}

export async function mirrorRegistry(db: Db, store: TeamStore, origin = 'test-mirror'): Promise<void> {
  const all = (sql: string) => db.prepare(sql).all() as Row[];
  const pick = (rows: Row[], columns: string[]) => rows.map((r) => columns.map((c) => r[c]));
  const experiments = ['id', 'name', 'created_at'];
  await insert(store, 'experiments', experiments, pick(all('SELECT * FROM experiments ORDER BY id'), experiments));
  const runs = ['id', 'experiment_id', 'name', 'status', 'seed', 'config', 'config_hash', 'code_hash', 'env', 'host', 'pid', 'pid_started', 'started_at', 'ended_at', 'heartbeat_at', 'error', 'parent_id'];
  const runRows = all('SELECT * FROM runs ORDER BY id');
  await insert(store, 'runs', [...runs, 'origin', 'origin_run_id', 'synced_at'], runRows.map((r) => [...runs.map((c) => r[c]), origin, r.id, 0]));
  // A param keeps its SQLite type: a number (or boolean 1/0) in num, text in text, null in neither.
  await insert(
    store,
    'params',
    ['run_id', 'key', 'type', 'num', 'text'],
    all('SELECT run_id, key, type, value FROM params').map((p) => [p.run_id, p.key, p.type, typeof p.value === 'number' ? p.value : null, typeof p.value === 'string' ? p.value : null]),
  );
  const copy = async (table: string, columns: string[]) => insert(store, table, columns, pick(all(`SELECT * FROM ${table}`), columns));
  await copy('metrics', ['run_id', 'key', 'step', 'value', 'time']);
  await copy('metrics_latest', ['run_id', 'key', 'step', 'value', 'time', 'min', 'max', 'count']);
  await copy('tags', ['run_id', 'key', 'value']);
  await copy('checkpoints', ['run_id', 'step', 'sha256', 'bytes', 'created_at']);
  await copy('artifacts', ['run_id', 'name', 'sha256', 'media_type', 'bytes', 'created_at']);
  await copy('datasets', ['run_id', 'name', 'sha256', 'rows', 'columns', 'schema', 'source']);
  // Explicit ids leave the sequences behind; later inserts must not collide with them.
  await store.query("SELECT setval('experiments_id_seq', (SELECT COALESCE(max(id), 0) + 1 FROM experiments), false)");
  await store.query("SELECT setval('runs_id_seq', (SELECT COALESCE(max(id), 0) + 1 FROM runs), false)");
}
