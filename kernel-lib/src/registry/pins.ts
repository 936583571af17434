/** Storing an object together with the row that references it, so that gc can never remove it in between. */
import { sha256 } from '../repro/hash';
import type { Db } from './database';
import { HOST, processStartTicks } from './lifecycle';
import type { ObjectStore, StoredObject } from './objects';

const OWN_START = processStartTicks(process.pid);

/*
 * The protocol (gc.ts holds the other half):
 *   1. commit a pin row naming the object (object_pins), before the file is touched;
 *   2. write the file, or verify the existing one;
 *   3. in one transaction, insert the checkpoint/artifact row and delete the pin.
 * gc deletes a file only inside a write transaction in which it finds neither a reference nor a
 * pin. SQLite serializes write transactions, so a pin is committed either before gc's check (gc
 * sees it and keeps the file) or after gc's delete (the writer then finds the file gone and
 * writes it). At every moment the object is pinned or referenced, whatever gc's grace period.
 */

/** Stores `bytes` and records the reference with `record`, inside the same transaction that unpins them. */
export function storeReferenced<T>(db: Db, objects: ObjectStore, bytes: Uint8Array, record: (stored: StoredObject) => T): T {
  const hash = sha256(bytes);
  const pin = Number(
    db
      .prepare('INSERT INTO object_pins (sha256, host, pid, pid_started, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(hash, HOST, process.pid, OWN_START, Date.now()).lastInsertRowid,
  );
  const unpin = db.prepare('DELETE FROM object_pins WHERE id = ?');
  try {
    const stored = objects.put(bytes, hash);
    return db
      .transaction(() => {
        const result = record(stored);
        unpin.run(pin);
        return result;
      })
      .immediate();
  } catch (error) {
    try {
      unpin.run(pin);
    } catch {
      // A pin left behind only keeps one object a little longer: gc drops pins of dead processes.
    }
    throw error;
  }
}
