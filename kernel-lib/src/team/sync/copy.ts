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

/**
 * The binary COPY stream: signature, flags, then per point 5 fields (run_id, key, step, value,
 * time), then -1. Written through a DataView: Buffer's write methods check bounds on every call,
 * which made encoding a third of the client's cost per point.
 */
export function encodePoints(runId: number, b: PointBatch): Buffer {
  const keys = new Map<string, Buffer>();
  let size = SIGNATURE.length + 8 + 2;
  for (const key of b.keys) {
    let k = keys.get(key);
    if (k === undefined) keys.set(key, (k = Buffer.from(key, 'utf8')));
    size += 2 + 12 + 4 + k.length + 12 + 12 + 12;
  }
  checkInt8(runId);
  const out = Buffer.allocUnsafe(size);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let at = SIGNATURE.copy(out, 0);
  view.setInt32(at, 0); // flags: no OIDs
  view.setInt32(at + 4, 0); // no header extension
  at += 8;
  for (let i = 0; i < b.keys.length; i++) {
    view.setInt16(at, 5);
    at = int8(view, at + 2, runId);
    const k = keys.get(b.keys[i])!;
    view.setInt32(at, k.length);
    at += 4;
    if (k.length > 0) at += k.copy(out, at);
    at = int8(view, at, checkInt8(b.steps[i]));
    const v = b.values[i];
    if (v === null) {
      view.setInt32(at, -1);
      at += 4;
    } else {
      view.setInt32(at, 8);
      view.setFloat64(at + 4, v);
      at += 12;
    }
    at = int8(view, at, checkInt8(b.times[i]));
  }
  view.setInt16(at, -1);
  return out.subarray(0, at + 2);
}

/** Safe integers only: anything else is refused rather than truncated. */
function checkInt8(v: number): number {
  if (!Number.isSafeInteger(v)) throw new RangeError(`expected an integer for a bigint column, received ${v}`);
  return v;
}

/** A length-prefixed int8 field: BigInt-free, exact for safe integers (negative ones too). */
function int8(view: DataView, at: number, v: number): number {
  const hi = Math.floor(v / 0x1_0000_0000);
  view.setInt32(at, 8);
  view.setInt32(at + 4, hi);
  view.setUint32(at + 8, v - hi * 0x1_0000_0000);
  return at + 12;
}
