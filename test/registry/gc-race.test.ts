// gc against real writer processes: a referenced object is never removed, whatever the grace, and a killed writer's temp file is.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, rmSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRegistry, type Registry } from '../../kernel-lib/src/registry';
import { collect, runCli, waitForLine } from '../helpers';
import { checkBothStores, onBothStores, registryDb } from '../support/both-stores';

onBothStores();

const WRITER = join(__dirname, '..', 'fixtures', 'checkpoint-writer.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { blob } = require(WRITER) as { blob: (i: number) => Buffer };

const folders: string[] = [];
const children: ChildProcess[] = [];
function start(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [WRITER, ...args]);
  children.push(child);
  return child;
}
function freshDb(): string {
  const db = registryDb();
  folders.push(dirname(db));
  return db;
}
function intact(registry: Registry, sha256: string): boolean {
  try {
    registry.readObject(sha256); // verifies the bytes' hash
    return true;
  } catch {
    return false;
  }
}

afterEach(async () => {
  // A failed assertion must not leave a writer filling the folder being removed.
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
    }
  }
  await checkBothStores();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('gc racing writers', () => {
  it('never removes an object a checkpoint being saved references, with --grace 0 in a tight loop', async () => {
    const db = freshDb();
    const count = 800;
    const registry = openRegistry({ db });
    // Every third blob already sits in the store unreferenced and old (its run was deleted): the
    // writer reuses those files instead of writing them, the case a grace period cannot cover.
    const orphans = registry.startRun({ experiment: 'orphans', seed: 1 });
    for (let i = 0; i < count; i += 3) orphans.saveCheckpoint(blob(i), { step: i });
    orphans.end();
    registry.deleteRun(orphans.id);
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const o of registry.objects.list()) utimesSync(join(registry.objects.dir, o.sha256), hourAgo, hourAgo);

    const writer = collect(start([db, 'save', String(count)]));
    let writerDone = false;
    void writer.then(() => (writerDone = true));
    // Another process collects too, through the CLI, while this one loops.
    const cliGc = Promise.all([runCli(['gc', '--grace', '0', '--db', db]), runCli(['gc', '--grace', '0', '--db', db])]);
    let collections = 0;
    while (!writerDone) {
      registry.gc({ graceMs: 0 });
      collections++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const result = await writer;
    expect(result.code, result.stderr).toBe(0);
    for (const r of await cliGc) expect(r.code, r.stderr).toBe(0);
    expect(collections).toBeGreaterThan(1);

    registry.gc({ graceMs: 0 });
    const rows = registry.sql<{ sha256: string; bytes: number }>('SELECT sha256, bytes FROM checkpoints WHERE run_id = ?', Number(result.stdout));
    expect(rows).toHaveLength(count);
    const broken = rows.filter((r) => !intact(registry, r.sha256));
    expect(broken.length, `${broken.length} of ${count} referenced objects lost`).toBe(0);
    expect(registry.sql('SELECT * FROM object_pins')).toEqual([]);
    registry.close();
  }, 120_000);

  it('removes the temp file of a writer killed with SIGKILL mid-write, and its pin', async () => {
    const db = freshDb();
    openRegistry({ db }).close();
    const objects = join(dirname(db), 'objects');
    const temps = (): string[] => readdirSync(objects).filter((n) => n.startsWith('.tmp-'));
    let left: string[] = [];
    // The kill may land between two writes; then try again.
    for (let attempt = 0; attempt < 10 && left.length === 0; attempt++) {
      const child = start([db, 'big']);
      const done = collect(child);
      await waitForLine(child, 'ready');
      for (let polls = 0; polls < 1_000_000; polls++) {
        let names: string[] = [];
        try {
          names = temps();
        } catch {
          // objects/ not made yet
        }
        if (names.length > 0) break;
      }
      child.kill('SIGKILL');
      expect((await done).signal).toBe('SIGKILL');
      left = temps();
    }
    expect(left).toHaveLength(1);

    // The default grace (10 min) does not spare it: its writer's pid is dead on this host.
    const result = await runCli(['gc', '--json', '--db', db]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.unfinished.removed).toEqual(left);
    expect(report.unfinished.bytes).toBeGreaterThan(0);
    expect(temps()).toEqual([]);
    const registry = openRegistry({ db });
    expect(registry.sql('SELECT * FROM object_pins')).toEqual([]);
    // Every checkpoint the killed run did record is still whole.
    for (const c of registry.sql<{ sha256: string; bytes: number }>('SELECT sha256, bytes FROM checkpoints')) {
      expect(intact(registry, c.sha256)).toBe(true);
    }
    registry.close();
  }, 120_000);

});
