/** The monitoring store's worker thread, as plain JavaScript: it stringifies sampled requests and writes them to SQLite off the server's event loop. */

/**
 * Run with `new Worker(WORKER_CODE, { eval: true, workerData })`: a string, so the same code loads
 * from the built package and from TypeScript sources under vitest (a .ts worker file cannot), and
 * it requires nothing of labbook's (better-sqlite3 by the absolute path the main thread resolved).
 *
 * workerData: { db, betterSqlite3, busyTimeoutMs, keepDays, flushMs, flushRows }.
 * In: { type: 'rows', rows } (sampled requests), { type: 'close' } (write the rest and close).
 * Out: { type: 'written', n }, { type: 'failed', n, message }, { type: 'log', line }, { type: 'closed' }.
 */
export const WORKER_CODE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3);
const DAY_MS = 86400000;
// Its own connection, set up as the registry sets up its own (WAL, the same busy timeout).
const db = new Database(workerData.db, { fileMustExist: true });
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const insert = db.prepare('INSERT INTO monitor_samples (model, version, at, latency_ms, examples, input, prediction, status, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
const writeAll = db.transaction((rows) => {
  for (const r of rows) insert.run(r.model, r.version, r.at, r.latencyMs, r.examples ? r.examples.length : 0, r.examples ? JSON.stringify(r.examples) : null, r.predictions ? JSON.stringify(r.predictions) : null, r.status, r.error);
});
let buffer = [];
let lastPrune = 0;

function prune() {
  lastPrune = Date.now();
  if (workerData.keepDays === 0) return;
  try {
    db.prepare('DELETE FROM monitor_samples WHERE at < ?').run(Date.now() - workerData.keepDays * DAY_MS);
  } catch (error) {
    parentPort.postMessage({ type: 'log', line: 'monitoring store: old samples not pruned (' + error.message + ')' });
  }
}

// One transaction per flush; a failure loses those rows only, and the main thread counts and logs it.
function flush() {
  if (buffer.length === 0) return;
  const rows = buffer;
  buffer = [];
  try {
    writeAll(rows);
    parentPort.postMessage({ type: 'written', n: rows.length });
  } catch (error) {
    parentPort.postMessage({ type: 'failed', n: rows.length, message: error.message });
  }
  if (Date.now() - lastPrune > 60000) prune();
}

prune();
const timer = setInterval(flush, workerData.flushMs);
parentPort.on('message', (message) => {
  if (message.type === 'rows') {
    for (const row of message.rows) buffer.push(row);
    if (buffer.length >= workerData.flushRows) flush();
  } else if (message.type === 'close') {
    clearInterval(timer);
    flush();
    db.close();
    parentPort.postMessage({ type: 'closed' });
  }
});
`;
