/** Metric points sent with COPY ... FROM STDIN (FORMAT binary): the encoder and a minimal pg submittable, not a general COPY client. */
import type pg from 'pg';
import type { PointBatch } from './push';

/** The protocol calls pg's Client makes on a submitted object, and the Connection methods COPY needs (pg has them; its types do not say so). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/**
 * Why COPY: PostgreSQL writes a COPY's rows with heap_multi_insert (one WAL record per page, not
 * per row) where INSERT ... SELECT inserts them one by one: about a third less server CPU and WAL
 * per point once metrics has no per-row foreign-key trigger (migration 3). Like the INSERT it
 * replaces, it is all or nothing: a point already there fails it (23505) and nothing is written.
 */
class CopyIn {
  readonly done: Promise<void>;
  private settle!: (error?: unknown) => void;

  constructor(private readonly text: string, private readonly data: Buffer) {
    this.done = new Promise<void>((resolve, reject) => {
      let settled = false;
      this.settle = (error) => {
        if (settled) return;
        settled = true;
        if (error === undefined) resolve();
        else reject(error);
      };
    });
  }

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    connection.sendCopyFromChunk(this.data);
    connection.endCopyFrom();
  }

  handleCommandComplete(): void {}

  handleCopyData(): void {}

  // After an error the client drops this query (no readyForQuery reaches it): settle here. A lost
  // connection arrives here too.
  handleError(error: unknown): void {
    this.settle(error);
  }

  handleReadyForQuery(): void {
    this.settle();
  }
}

/** COPYs `batch` into metrics for `runId` on `client` (inside the caller's transaction). */
export async function copyPoints(client: pg.PoolClient, runId: number, batch: PointBatch): Promise<void> {
  const copy = new CopyIn('COPY metrics (run_id, key, step, value, time) FROM STDIN (FORMAT binary)', encodePoints(runId, batch));
  client.query(copy as unknown as pg.Submittable);
  await copy.done;
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** The binary COPY stream: signature, flags, then per point 5 fields (run_id, key, step, value, time), then -1. */
export function encodePoints(runId: number, b: PointBatch): Buffer {
  const keys = new Map<string, Buffer>();
  let size = SIGNATURE.length + 8 + 2;
  for (const key of b.keys) {
    let k = keys.get(key);
    if (k === undefined) keys.set(key, (k = Buffer.from(key, 'utf8')));
    size += 2 + 12 + 4 + k.length + 12 + 12 + 12;
  }
  const out = Buffer.allocUnsafe(size);
  let at = SIGNATURE.copy(out, 0);
  at = out.writeInt32BE(0, at); // flags: no OIDs
  at = out.writeInt32BE(0, at); // no header extension
  for (let i = 0; i < b.keys.length; i++) {
    at = out.writeInt16BE(5, at);
    at = int8(out, at, runId);
    const k = keys.get(b.keys[i])!;
    at = out.writeInt32BE(k.length, at);
    at += k.copy(out, at);
    at = int8(out, at, b.steps[i]);
    const v = b.values[i];
    if (v === null) {
      at = out.writeInt32BE(-1, at);
    } else {
      at = out.writeInt32BE(8, at);
      at = out.writeDoubleBE(v, at);
    }
    at = int8(out, at, b.times[i]);
  }
  at = out.writeInt16BE(-1, at);
  return out.subarray(0, at);
}

/** Safe integers only: anything else is refused rather than truncated. */
function int8(out: Buffer, at: number, v: number): number {
  if (!Number.isSafeInteger(v)) throw new RangeError(`expected an integer for a bigint column, received ${v}`);
  const hi = Math.floor(v / 0x1_0000_0000);
  at = out.writeInt32BE(8, at);
  at = out.writeInt32BE(hi, at);
  return out.writeUInt32BE(v - hi * 0x1_0000_0000, at);
}
