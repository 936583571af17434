/** Garbage collection of the object store: unreferenced objects and abandoned temp files (never a referenced object). */
import type { Db } from './database';
import { HOST, isProcessAlive } from './lifecycle';
import { HOST_TAG, type ObjectStore, type TempFile } from './objects';

export interface GcOptions {
  dryRun?: boolean;
  /** Unreferenced objects and other hosts' temp files younger than this are kept (default 10 min). */
  graceMs?: number;
  /** A pin from another host counts as its writer's only after this long (the registry's crash rule). */
  staleAfterMs?: number;
}

export interface GcResult {
  removed: string[];
  bytes: number;
  kept: number;
  /** Temp files of writes that died (names), and their bytes; `bytes` above includes them. */
  unfinished: { removed: string[]; bytes: number };
}

/** Objects checked per write transaction: writers wait at most one batch for gc. */
const BATCH = 256;

/**
 * Safety does not rest on the grace period: see pins.ts for the protocol. Files are listed first;
 * each candidate is then re-checked for a reference or pin inside a write transaction, and
 * unlinked inside it, so no writer can pin it between the check and the unlink.
 */
export function collectGarbage(db: Db, objects: ObjectStore, options: GcOptions = {}): GcResult {
  const now = Date.now();
  const graceMs = options.graceMs ?? 10 * 60_000;
  const cutoff = now - graceMs;
  if (!options.dryRun) dropDeadPins(db, now - Math.max(graceMs, options.staleAfterMs ?? 10 * 60_000));

  const files = objects.list();
  // A first pass outside any lock, so that the write transactions below look only at candidates.
  const held = new Set(
    (db.prepare('SELECT sha256 FROM checkpoints UNION SELECT sha256 FROM artifacts UNION SELECT sha256 FROM object_pins').pluck().all() as string[]),
  );
  const candidates = files.filter((f) => !held.has(f.sha256) && f.mtimeMs <= cutoff);
  const stillHeld = db
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM checkpoints WHERE sha256 = @sha) OR EXISTS (SELECT 1 FROM artifacts WHERE sha256 = @sha)
         OR EXISTS (SELECT 1 FROM object_pins WHERE sha256 = @sha)`,
    )
    .pluck();
  const removed: string[] = [];
  let bytes = 0;
  for (let start = 0; start < candidates.length; start += BATCH) {
    const batch = db.transaction(() => {
      for (const object of candidates.slice(start, start + BATCH)) {
        if (stillHeld.get({ sha: object.sha256 })) continue;
        if (!options.dryRun) objects.remove(object.sha256);
        removed.push(object.sha256);
        bytes += object.bytes;
      }
    });
    if (options.dryRun) batch();
    else batch.immediate();
  }

  const unfinished = { removed: [] as string[], bytes: 0 };
  for (const temp of objects.listTemp()) {
    if (!abandoned(temp, cutoff)) continue;
    if (!options.dryRun) objects.removeTemp(temp.name);
    unfinished.removed.push(temp.name);
    unfinished.bytes += temp.bytes;
  }
  return { removed, bytes: bytes + unfinished.bytes, kept: files.length - removed.length, unfinished };
}

/**
 * On this host the writer's pid (and start time) says for sure whether the write is still going,
 * whatever the grace; another host's temp file (or one without a writer in its name) is judged by
 * its age alone.
 */
function abandoned(temp: TempFile, cutoff: number): boolean {
  if (temp.writer && temp.writer.hostTag === HOST_TAG) return !isProcessAlive(temp.writer.pid, temp.writer.started);
  return temp.mtimeMs <= cutoff;
}

/** Pins of writers that died (kill -9) would keep their objects forever. */
function dropDeadPins(db: Db, staleBefore: number): void {
  const pins = db.prepare('SELECT id, host, pid, pid_started AS started, created_at AS createdAt FROM object_pins').all() as {
    id: number;
    host: string;
    pid: number;
    started: number | null;
    createdAt: number;
  }[];
  const dead = pins.filter((p) => (p.host === HOST ? !isProcessAlive(p.pid, p.started) : p.createdAt < staleBefore));
  if (dead.length === 0) return;
  const drop = db.prepare('DELETE FROM object_pins WHERE id = ?');
  db.transaction(() => dead.forEach((p) => drop.run(p.id))).immediate();
}
