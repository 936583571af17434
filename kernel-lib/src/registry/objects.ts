/** Content-addressed object files (`objects/<sha256>`): written whole or not at all, verified before trusted. */
import { randomBytes } from 'node:crypto';
import { type Stats, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LabbookError } from '../errors';
import { sha256 } from '../repro/hash';
import { HOST, processStartTicks } from './lifecycle';

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** `.tmp-<host tag>-<pid>-<pid start ticks or x>-<random>`: gc can tell whose write a temp file is. */
const TEMP_NAME = /^\.tmp-([0-9a-f]{12})-(\d+)-(\d+|x)-[0-9a-f]+$/;
/** Host names may hold any character; a hash of it is safe in a file name and still tells hosts apart. */
export const HOST_TAG = sha256(HOST).slice(0, 12);
const OWN_START = processStartTicks(process.pid);

export interface StoredObject {
  sha256: string;
  bytes: number;
}

/** A half-written object: its writer is still writing, or died (kill -9, power loss) mid-write. */
export interface TempFile {
  name: string;
  bytes: number;
  mtimeMs: number;
  /** Who was writing it, when the name says (temp files of older labbook versions do not). */
  writer: { hostTag: string; pid: number; started: number | null } | null;
}

export class ObjectStore {
  constructor(readonly dir: string) {}

  /**
   * Stores bytes under their hash. An existing object is trusted only once its length and hash
   * are checked: one left truncated or corrupt (a full disk, a flipped bit) is replaced by these
   * bytes. Throws a LabbookError (WRITE_FAILED) naming the folder and the cause when the bytes
   * cannot all be written; nothing partial is left behind under the object's name.
   */
  put(data: Uint8Array, hash: string = sha256(data)): StoredObject {
    const target = this.pathOf(hash);
    if (this.verify(hash, data.length) === null) return { sha256: hash, bytes: data.length };
    const temp = join(this.dir, `.tmp-${HOST_TAG}-${process.pid}-${OWN_START ?? 'x'}-${randomBytes(6).toString('hex')}`);
    try {
      mkdirSync(this.dir, { recursive: true });
      writeWhole(temp, data);
      // Rename is atomic: readers and concurrent writers of the same object never see a partial file.
      renameSync(temp, target);
    } catch (error) {
      rmSync(temp, { force: true });
      throw writeFailed(this.dir, hash, data.length, error);
    }
    syncDir(this.dir);
    return { sha256: hash, bytes: data.length };
  }

  /** Reads an object and checks that its bytes still hash to its name. */
  get(hash: string): Uint8Array {
    const path = this.pathOf(hash);
    if (!existsSync(path)) {
      throw new LabbookError('NOT_FOUND', `No stored object ${hash} in ${this.dir}: expected a file written by a run. It may have been removed by hand or lost with its disk.`);
    }
    const data = new Uint8Array(readFileSync(path));
    const actual = sha256(data);
    if (actual !== hash) {
      throw new LabbookError('HASH_MISMATCH', `Stored object ${hash} is corrupt: its bytes hash to ${actual}. Re-create it by reproducing the run.`);
    }
    return data;
  }

  /** null when the object is intact (and `bytes` long, when given); else what is wrong with it. */
  verify(hash: string, bytes?: number): string | null {
    const path = this.pathOf(hash);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return `object ${hash} is missing from ${this.dir}`;
    }
    if (bytes !== undefined && size !== bytes) return `object ${hash} in ${this.dir} holds ${size} bytes, expected ${bytes}`;
    const actual = sha256(readFileSync(path));
    return actual === hash ? null : `object ${hash} in ${this.dir} is corrupt: its ${size} bytes hash to ${actual}`;
  }

  has(hash: string): boolean {
    return existsSync(this.pathOf(hash));
  }

  /** Every stored object with its size and modification time (ms). */
  list(): { sha256: string; bytes: number; mtimeMs: number }[] {
    return this.entries()
      .filter((name) => SHA256_HEX.test(name))
      .flatMap((name) => {
        const stat = statOrNull(join(this.dir, name));
        return stat ? [{ sha256: name, bytes: stat.size, mtimeMs: stat.mtimeMs }] : [];
      });
  }

  /** Temporary files of writes in progress or abandoned. */
  listTemp(): TempFile[] {
    return this.entries()
      .filter((name) => name.startsWith('.tmp-'))
      .flatMap((name) => {
        const stat = statOrNull(join(this.dir, name));
        if (!stat) return []; // renamed into place or removed since the listing
        const m = TEMP_NAME.exec(name);
        const writer = m ? { hostTag: m[1], pid: Number(m[2]), started: m[3] === 'x' ? null : Number(m[3]) } : null;
        return [{ name, bytes: stat.size, mtimeMs: stat.mtimeMs, writer }];
      });
  }

  /** Removes an object; one already gone is fine (another gc got there first). */
  remove(hash: string): void {
    rmSync(this.pathOf(hash), { force: true });
  }

  removeTemp(name: string): void {
    if (!name.startsWith('.tmp-') || name.includes('/')) throw new LabbookError('INVALID_ARGUMENT', `Invalid temp file name ${JSON.stringify(name)}: expected a .tmp- file of the object store.`);
    try {
      unlinkSync(join(this.dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  private entries(): string[] {
    return existsSync(this.dir) ? readdirSync(this.dir) : [];
  }

  private pathOf(hash: string): string {
    if (!SHA256_HEX.test(hash)) {
      throw new LabbookError('INVALID_ARGUMENT', `Invalid object id ${JSON.stringify(hash)}: expected 64 lowercase hex digits (a SHA-256).`);
    }
    return join(this.dir, hash);
  }
}

/** write(2) may write fewer bytes than asked (a disk filling up): loop until all are down, then fsync. */
function writeWhole(path: string, data: Uint8Array): void {
  const fd = openSync(path, 'wx');
  try {
    let offset = 0;
    while (offset < data.length) {
      const written = writeSync(fd, data, offset, data.length - offset);
      if (written <= 0) throw Object.assign(new Error(`write returned ${written}`), { code: 'EIO' });
      offset += written;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes the rename itself durable; some filesystems cannot fsync a folder, and the data is already safe. */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function writeFailed(dir: string, hash: string, bytes: number, error: unknown): LabbookError {
  const code = (error as NodeJS.ErrnoException).code ?? 'an error';
  const cause = code === 'ENOSPC' ? 'ENOSPC (no space left on device)' : `${code} (${(error as Error).message})`;
  return new LabbookError(
    'WRITE_FAILED',
    `Could not store object ${hash} (${bytes} bytes) in ${dir}: expected the whole write to succeed, received ${cause}. Nothing partial was kept; free space on that disk (or point --db / LABBOOK_DB elsewhere) and run again.`,
  );
}
