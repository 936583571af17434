/** Data fingerprints: SHA-256 over a canonical serialization of a whole frame, and logging one with a run. */
import { createHash, type Hash } from 'node:crypto';
import type { DataFrame } from 'danfojs-node';
import { invalidArgument } from '../errors';
import type { Run } from '../registry';
import { checkFrame, frameRows, isNumericDtype, type Cell } from './frame';

export interface Fingerprint {
  /** SHA-256 (hex) of the canonical serialization below. */
  sha256: string;
  rows: number;
  columns: number;
  /** Columns sorted by name, as hashed. */
  schema: { name: string; dtype: string }[];
}

const VERSION = 'labbook.frame/v1\n';

/**
 * The fingerprint of every row of a frame. Canonical form (version 1): columns sorted by name
 * (UTF-16 code units); for each, its name and dtype as JSON, then its values in row order — a
 * numeric column as little-endian float64 (missing = one canonical NaN, -0 = 0), any other
 * column as a JSON array. So column order does not matter; any changed value, type, row order
 * or column name does. The index labels are not part of it.
 */
export function fingerprint(frame: DataFrame): Fingerprint {
  checkFrame(frame);
  const names = frame.columns;
  const dtypes = frame.dtypes;
  const rows = frameRows(frame);
  const order = names.map((name, c) => ({ name, c })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // One row-major pass (how danfo holds the data) fills a buffer per column; a numeric column
  // that turns out to hold something else is hashed as JSON instead.
  const numeric = dtypes.map((d) => isNumericDtype(d));
  const floats = names.map((_, c) => (numeric[c] ? new Float64Array(rows.length) : undefined));
  const others = names.map((_, c) => (numeric[c] ? undefined : new Array<Cell>(rows.length)));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      const f = floats[c];
      if (f === undefined) (others[c] as Cell[])[r] = v;
      else if (typeof v === 'number') f[r] = v !== v ? NaN : v === 0 ? 0 : v; // one NaN, and -0 as 0
      else if (v === null || v === undefined) f[r] = NaN;
      else {
        floats[c] = undefined;
        others[c] = rows.map((row2) => row2[c]);
      }
    }
  }
  const hash = createHash('sha256');
  hash.update(VERSION);
  hash.update(`${rows.length} ${names.length}\n`);
  for (const { name, c } of order) {
    hash.update(`${JSON.stringify([name, dtypes[c]])}\n`);
    const f = floats[c];
    if (f !== undefined) {
      hash.update('F');
      hash.update(littleEndian(f));
    } else hashJson(hash, others[c] as Cell[]);
  }
  return {
    sha256: hash.digest('hex'),
    rows: rows.length,
    columns: names.length,
    schema: order.map(({ name, c }) => ({ name, dtype: dtypes[c] })),
  };
}

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

function littleEndian(values: Float64Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const copy = Uint8Array.from(bytes);
  for (let i = 0; i < copy.length; i += 8) copy.subarray(i, i + 8).reverse();
  return copy;
}

function hashJson(hash: Hash, values: readonly unknown[]): void {
  hash.update('J');
  hash.update(
    JSON.stringify(values, (_key, v: unknown) => {
      if (v === undefined) return null;
      if (typeof v === 'number' && !Number.isFinite(v)) return { number: String(v) };
      return v;
    }),
  );
  hash.update('\n');
}

/**
 * Records the frame's fingerprint with a run (`run.logDataset`) under `name`, with where it came
 * from, and returns it. A dataset name is write-once per run.
 */
export function logFrame(run: Run, name: string, frame: DataFrame, source?: string | null): Fingerprint {
  if (!run || typeof (run as { logDataset?: unknown }).logDataset !== 'function') {
    throw invalidArgument('run', 'a Run (from registry.startRun)', run);
  }
  const print = fingerprint(frame);
  run.logDataset({ name, sha256: print.sha256, rows: print.rows, columns: print.columns, schema: print.schema, source: source ?? null });
  return print;
}
