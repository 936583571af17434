import { describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import { openRegistry } from '../../kernel-lib/src/registry';
import { onBothStores, registryDb } from '../support/both-stores';

onBothStores();

describe('run lifecycle', () => {
  it('records a run from start to finished with config, params, metrics, tags, datasets and artifacts', () => {
    const registry = openRegistry({ db: registryDb() });
    const run = registry.startRun({ experiment: 'mnist-mlp', config: { lr: 0.01, model: { units: 128 }, opt: 'adam' }, seed: 42, name: 'first', tags: { team: 'ml' } });
    expect(registry.getRun(run.id).status).toBe('running');
    run.log({ loss: 1.5, acc: 0.2 }).log({ loss: 0.5, acc: 0.8 });
    run.logParams({ parameters: 101_770 });
    run.logDataset({ name: 'train', sha256: 'ab'.repeat(32), rows: 60000, columns: 785, source: 'mnist' });
    run.logArtifact('summary', { layers: 2 });
    run.end();
    const record = registry.getRun(run.id);
    expect(record).toMatchObject({
      experiment: 'mnist-mlp',
      name: 'first',
      status: 'finished',
      seed: 42,
      config: { lr: 0.01, model: { units: 128 }, opt: 'adam' },
      params: { lr: 0.01, 'model.units': 128, opt: 'adam', parameters: 101_770 },
      tags: { team: 'ml' },
      error: null,
    });
    expect(record.metrics.loss).toMatchObject({ step: 1, value: 0.5, min: 0.5, max: 1.5, count: 2 });
    expect(record.datasets).toEqual([{ name: 'train', sha256: 'ab'.repeat(32), rows: 60000, columns: 785, schema: null, source: 'mnist' }]);
    expect(record.artifacts[0]).toMatchObject({ name: 'summary', mediaType: 'application/json' });
    expect(new TextDecoder().decode(registry.readObject(record.artifacts[0].sha256))).toBe('{"layers":2}');
    expect(record.endedAt).toBeGreaterThanOrEqual(record.startedAt);
    expect(record.env).toMatchObject({ node: process.version, labbook: expect.any(String) });
    registry.close();
  });

  it('draws and records a uint32 seed when none is given, and hashes configs independent of key order', () => {
    const registry = openRegistry({ db: registryDb() });
    const a = registry.startRun({ experiment: 'x', config: { a: 1, b: { c: 2, d: 3 } } });
    const b = registry.startRun({ experiment: 'x', config: { b: { d: 3, c: 2 }, a: 1 } });
    const c = registry.startRun({ experiment: 'x', config: { a: 2, b: { d: 3, c: 2 } } });
    expect(Number.isInteger(a.seed) && a.seed >= 0 && a.seed <= 0xffffffff).toBe(true);
    expect(registry.getRun(a.id).seed).toBe(a.seed);
    expect(a.configHash).toBe(b.configHash);
    expect(c.configHash).not.toBe(a.configHash);
    registry.close();
  });

  it('marks a run failed with message and stack when user code throws, keeping what it logged', async () => {
    const registry = openRegistry({ db: registryDb() });
    let id = 0;
    await expect(
      registry.withRun({ experiment: 'boom', config: { lr: 1 } }, (run) => {
        id = run.id;
        for (let step = 0; step < 25; step++) run.log({ loss: step }, step);
        run.saveCheckpoint(new Uint8Array([1, 2, 3]));
        throw new RangeError('loss exploded');
      }),
    ).rejects.toThrow('loss exploded');
    const record = registry.getRun(id);
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/RangeError: loss exploded\n\s+at /);
    expect(record.metrics.loss).toMatchObject({ count: 25, value: 24 });
    expect(registry.metricHistory(id, 'loss')).toHaveLength(25);
    expect(record.checkpoints).toHaveLength(1);
    registry.close();
  });

  it('keeps params write-once and names run, key, old and new value on a conflict', () => {
    const registry = openRegistry({ db: registryDb() });
    const run = registry.startRun({ experiment: 'x', config: { lr: 0.01 } });
    run.logParams({ lr: 0.01 }); // the same value again is fine
    const error = catchError(() => run.logParams({ lr: 0.02 }));
    expect(error).toBeInstanceOf(LabbookError);
    expect(error.code).toBe('PARAM_CONFLICT');
    expect(error.message).toContain(`run ${run.id}`);
    expect(error.message).toContain('`lr`');
    expect(error.message).toContain('0.01');
    expect(error.message).toContain('0.02');
    expect(registry.getRun(run.id).params.lr).toBe(0.01);
    registry.close();
  });

  it('rejects bad input with the error template and loses nothing', () => {
    const registry = openRegistry({ db: registryDb() });
    const run = registry.startRun({ experiment: 'x' });
    run.log({ loss: 1 }, 5);
    expect(() => run.log({ loss: 2 }, 5)).toThrow(/expected a step above 5.*received 5/);
    expect(() => run.log({ loss: '0.3' as unknown as number })).toThrow('Invalid value for `metrics.loss`: expected a number, received "0.3".');
    expect(() => run.log({ loss: 1 }, -1)).toThrow(/`step`: expected a non-negative integer, received -1/);
    expect(() => registry.startRun({ experiment: '' })).toThrow(/`experiment`: expected a non-empty experiment name/);
    expect(() => registry.startRun({ experiment: 'x', seed: -3 })).toThrow(/`seed`: expected an integer from 0 to 4294967295, received -3/);
    expect(() => registry.startRun({ experiment: 'x', config: { lr: NaN } })).toThrow(/`config.lr`: expected a finite number/);
    expect(() => run.saveCheckpoint('weights' as unknown as Uint8Array)).toThrow(/expected bytes \(a Uint8Array\)/);
    expect(() => registry.getRun(999)).toThrow(/No run with id 999/);
    run.log({ loss: 3 });
    run.end();
    expect(registry.metricHistory(run.id, 'loss').map((p) => [p.step, p.value])).toEqual([[5, 1], [6, 3]]);
    expect(() => run.log({ loss: 1 })).toThrow(/already ended as finished/);
    expect(() => run.end()).toThrow(/already ended/);
    registry.close();
  });

  it('stores NaN as null and keeps min and max over the finite values', () => {
    const registry = openRegistry({ db: registryDb() });
    const run = registry.startRun({ experiment: 'x' });
    run.log({ loss: 2 }).log({ loss: NaN }).log({ loss: 1 }).log({ loss: NaN });
    run.end();
    expect(registry.getRun(run.id).metrics.loss).toMatchObject({ value: null, min: 1, max: 2, count: 4 });
    expect(registry.metricHistory(run.id, 'loss').map((p) => p.value)).toEqual([2, null, 1, null]);
    registry.close();
  });

  it('keeps every point of a long history across automatic flushes', () => {
    const registry = openRegistry({ db: registryDb(), timing: { flushEveryPoints: 100 } });
    const run = registry.startRun({ experiment: 'x' });
    for (let step = 0; step < 5000; step++) run.log({ a: step, b: -step }, step);
    run.end();
    const count = registry.sql<{ n: number }>('SELECT count(*) AS n FROM metrics WHERE run_id = ?', run.id)[0].n;
    expect(count).toBe(10_000);
    expect(registry.getRun(run.id).metrics.b).toMatchObject({ value: -4999, min: -4999, max: 0, count: 5000 });
    registry.close();
  });

  it('stores checkpoints content-addressed, verifies them on read, and gc frees unreferenced ones', () => {
    const registry = openRegistry({ db: registryDb() });
    const run = registry.startRun({ experiment: 'x' });
    const first = run.saveCheckpoint(new Uint8Array([1, 2, 3]), { step: 1 });
    const again = run.saveCheckpoint(new Uint8Array([1, 2, 3]), { step: 2 });
    expect(again.sha256).toBe(first.sha256);
    expect(registry.objects.list()).toHaveLength(1);
    const other = registry.startRun({ experiment: 'x' });
    const lone = other.saveCheckpoint(new Uint8Array([9]));
    other.end();
    run.end();
    expect(registry.gc({ graceMs: 0 }).removed).toEqual([]);
    registry.deleteRun(other.id);
    expect(registry.gc({ graceMs: 60_000 }).removed).toEqual([]); // too young to collect
    expect(registry.gc({ graceMs: 0, dryRun: true }).removed).toEqual([lone.sha256]);
    expect(registry.objects.has(lone.sha256)).toBe(true);
    expect(registry.gc({ graceMs: 0 })).toMatchObject({ removed: [lone.sha256], bytes: 1, kept: 1 });
    expect(registry.objects.has(lone.sha256)).toBe(false);
    expect(Array.from(registry.readObject(first.sha256))).toEqual([1, 2, 3]);
    registry.close();
  });

  it('keeps strings that look like numbers as strings, and numbers as numbers', () => {
    const registry = openRegistry({ db: registryDb() });
    const config = { code: '007', rate: '1e-3', lr: 1e-3, big: 12345678901234, flag: false, none: null, layers: [64, 32] };
    const run = registry.startRun({ experiment: 'x', config });
    run.end();
    const record = registry.getRun(run.id);
    expect(record.params).toEqual(config);
    expect(record.config).toEqual(config);
    expect(registry.sql("SELECT typeof(value) AS t FROM params WHERE key IN ('code', 'rate') ORDER BY key")).toEqual([{ t: 'text' }, { t: 'text' }]);
    registry.close();
  });

  it('refuses writes through sql() and answers reads', () => {
    const registry = openRegistry({ db: registryDb() });
    registry.startRun({ experiment: 'x', config: { lr: 0.5 } }).end();
    expect(registry.sql("SELECT value FROM params WHERE key = 'lr'")).toEqual([{ value: 0.5 }]);
    expect(() => registry.sql('DELETE FROM runs')).toThrow(/expected a statement that returns rows/);
    expect(registry.sql('SELECT count(*) AS n FROM runs')).toEqual([{ n: 1 }]);
    registry.close();
  });
});

function catchError(fn: () => unknown): LabbookError {
  try {
    fn();
  } catch (error) {
    return error as LabbookError;
  }
  throw new Error('expected an error');
}
