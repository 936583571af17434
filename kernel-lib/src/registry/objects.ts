/** Content-addressed object files (`objects/<sha256>`), written atomically, verified on read. */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LabbookError } from '../errors';
import { sha256 } from '../repro/hash';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface StoredObject {
  sha256: string;
  bytes: number;
}

export class ObjectStore {
  constructor(readonly dir: string) {}

  /** Stores bytes under their hash; storing the same bytes twice writes nothing the second time. */
  put(data: Uint8Array): StoredObject {
    const hash = sha256(data);
    const target = this.pathOf(hash);
    if (!existsSync(target)) {
      mkdirSync(this.dir, { recursive: true });
      // Write to a temporary name in the same folder and rename: readers and concurrent writers
      // of the same object never see a partial file.
      const temp = join(this.dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
      const fd = openSync(temp, 'w');
      try {
        writeSync(fd, data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, target);
    }
    return { sha256: hash, bytes: data.length };
  }

  /** Reads an object and checks that its bytes still hash to its name. */
  get(hash: string): Uint8Array {
    const path = this.pathOf(hash);
    if (!existsSync(path)) {
      throw new LabbookError('NOT_FOUND', `No stored object ${hash} in ${this.dir}: expected a file written by a run. It may have been removed by \`labbook gc\`.`);
    }
    const data = new Uint8Array(readFileSync(path));
    const actual = sha256(data);
    if (actual !== hash) {
      throw new LabbookError('HASH_MISMATCH', `Stored object ${hash} is corrupt: its bytes hash to ${actual}. Re-create it by reproducing the run.`);
    }
    return data;
  }

  has(hash: string): boolean {
    return existsSync(this.pathOf(hash));
  }

  /** Every stored object with its size and modification time (ms). */
  list(): { sha256: string; bytes: number; mtimeMs: number }[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((name) => SHA256_HEX.test(name))
      .map((name) => {
        const stat = statSync(join(this.dir, name));
        return { sha256: name, bytes: stat.size, mtimeMs: stat.mtimeMs };
      });
  }

  remove(hash: string): void {
    unlinkSync(this.pathOf(hash));
  }

  private pathOf(hash: string): string {
    if (!SHA256_HEX.test(hash)) {
      throw new LabbookError('INVALID_ARGUMENT', `Invalid object id ${JSON.stringify(hash)}: expected 64 lowercase hex digits (a SHA-256).`);
    }
    return join(this.dir, hash);
  }
}
