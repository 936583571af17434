/** Numeric arrays in PostgreSQL's binary array format, sent as bound parameters (pg sends a Buffer as binary). */

const FLOAT8 = 701;
const INT8 = 20;
const TEXT = 25;

/**
 * Why binary: printing 50,000 doubles as text and the server's parsing them back cost more than
 * the insert's own work; here each element is 12 bytes written directly and read without parsing.
 */
export function float8Array(values: readonly (number | null)[]): Buffer {
  const out = header(values.length, values.includes(null), FLOAT8);
  let at = 20;
  for (const v of values) {
    if (v === null) {
      at = out.writeInt32BE(-1, at);
      continue;
    }
    at = out.writeInt32BE(8, at);
    at = out.writeDoubleBE(v, at);
  }
  return out.subarray(0, at);
}

/** Safe integers only: anything else is refused rather than truncated. */
export function int8Array(values: readonly number[]): Buffer {
  const out = header(values.length, false, INT8);
  let at = 20;
  for (const v of values) {
    if (!Number.isSafeInteger(v)) throw new RangeError(`expected an integer for a bigint array, received ${v}`);
    const hi = Math.floor(v / 0x1_0000_0000);
    at = out.writeInt32BE(8, at);
    at = out.writeInt32BE(hi, at);
    at = out.writeUInt32BE(v - hi * 0x1_0000_0000, at);
  }
  return out;
}

/** Metric keys repeat: each distinct key is encoded once. */
export function textArray(values: readonly string[]): Buffer {
  const encoded = new Map<string, Buffer>();
  const parts: Buffer[] = [header(values.length, false, TEXT).subarray(0, values.length ? 20 : 12)];
  for (const v of values) {
    let e = encoded.get(v);
    if (e === undefined) {
      const bytes = Buffer.from(v, 'utf8');
      e = Buffer.allocUnsafe(4 + bytes.length);
      e.writeInt32BE(bytes.length, 0);
      bytes.copy(e, 4);
      encoded.set(v, e);
    }
    parts.push(e);
  }
  return Buffer.concat(parts);
}

/** One dimension, lower bound 1; room for every element at full width. */
function header(n: number, hasNull: boolean, oid: number): Buffer {
  // An empty array has no dimensions at all in this format.
  if (n === 0) {
    const empty = Buffer.alloc(12);
    empty.writeInt32BE(oid, 8);
    return empty;
  }
  const out = Buffer.allocUnsafe(20 + n * 12);
  out.writeInt32BE(1, 0);
  out.writeInt32BE(hasNull ? 1 : 0, 4);
  out.writeInt32BE(oid, 8);
  out.writeInt32BE(n, 12);
  out.writeInt32BE(1, 16);
  return out;
}
