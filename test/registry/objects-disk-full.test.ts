// The object store on a real full disk, and an existing object that is truncated: never trusted, never kept half-written.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRegistry, type Registry } from '../../kernel-lib/src/registry';
import { mountSmallDisk, type SmallDisk, smallDiskUnavailable } from '../support/tmpfs';
import { checkBothStores, onBothStores, registryDb, trackRegistry } from '../support/both-stores';

onBothStores();

/** 256 KiB that do not compress or repeat: a stand-in for a model's weights. */
function weights(): Uint8Array {
  const bytes = new Uint8Array(256 * 1024);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

let disk: SmallDisk | null = null;
let registry: Registry | null = null;
afterEach(async () => {
  try {
    await checkBothStores();
  } finally {
    registry?.close();
    registry = null;
    disk?.dispose();
    disk = null;
  }
});

function objectFiles(r: Registry): string[] {
  try {
    return readdirSync(r.objects.dir);
  } catch {
    return [];
  }
}

if (smallDiskUnavailable) console.warn(`skipping disk-full tests: ${smallDiskUnavailable}`);

describe.skipIf(smallDiskUnavailable !== null)('checkpoints on a full disk', () => {
  it('fails the save and the run loudly, keeps nothing partial, and stores the bytes whole once there is room', async () => {
    disk = mountSmallDisk(2 * 1024 * 1024);
    const r = (registry = openRegistry({ db: trackRegistry(join(disk.dir, 'registry.db')) }));
    const data = weights();
    let runId = 0;
    const saving = r.withRun({ experiment: 'full-disk', seed: 1 }, (run) => {
      runId = run.id;
      run.log({ loss: 0.5 }, 0);
      run.flush();
      disk!.fill(64 * 1024); // room for the database's few pages, not for the checkpoint
      run.saveCheckpoint(data);
    });
    await expect(saving).rejects.toThrow(/Could not store object [0-9a-f]{64} \(262144 bytes\) in .*objects: .*ENOSPC/);

    expect(objectFiles(r)).toEqual([]); // no temp file, and nothing under the hash
    const failed = r.getRun(runId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/ENOSPC/);
    expect(failed.metrics.loss).toMatchObject({ count: 1, value: 0.5 });
    expect(failed.checkpoints).toEqual([]);

    disk.free();
    const saved = await r.withRun({ experiment: 'full-disk', seed: 1 }, (run) => run.saveCheckpoint(data));
    expect(Buffer.from(r.readObject(saved.sha256)).equals(Buffer.from(data))).toBe(true);
  });
});

describe('an existing object is verified before it is trusted', () => {
  it('replaces a truncated object under the hash with the whole bytes when they are saved again', async () => {
    const r = (registry = openRegistry({ db: registryDb() }));
    const data = weights();
    const first = await r.withRun({ experiment: 'truncated', seed: 1 }, (run) => run.saveCheckpoint(data));
    // What a full disk used to leave: the first 64 KiB under the whole data's hash.
    const path = join(r.objects.dir, first.sha256);
    writeFileSync(path, data.subarray(0, 64 * 1024));
    const again = await r.withRun({ experiment: 'truncated', seed: 1 }, (run) => run.saveCheckpoint(data));
    expect(again.sha256).toBe(first.sha256);
    expect(readFileSync(path).length).toBe(data.length);
    expect(Buffer.from(r.readObject(first.sha256)).equals(Buffer.from(data))).toBe(true);

    // The same for one flipped byte at full length.
    const flipped = Buffer.from(data);
    flipped[1000] ^= 0xff;
    writeFileSync(path, flipped);
    await r.withRun({ experiment: 'truncated', seed: 1 }, (run) => run.logArtifact('weights', data));
    expect(Buffer.from(r.readObject(first.sha256)).equals(Buffer.from(data))).toBe(true);
    expect(objectFiles(r).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });
});
