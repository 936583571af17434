// runsFrame's dtypes through the public API: seeds exact, times as dates, all-null text as text, no int32 wrap-around.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry, runsFrame, searchRuns, type Registry } from '../../kernel-lib/src';
import { tempDb } from '../helpers';

let registry: Registry;
const before = Date.now();

beforeAll(() => {
  registry = openRegistry({ db: tempDb(), create: true });
  const a = registry.startRun({ experiment: 'dtypes', seed: 4063212469, config: { steps: 3_000_000_000, units: 8, note: null } });
  a.log({ loss: 0.5, epoch: 1 }, 0);
  a.end();
  const b = registry.startRun({ experiment: 'dtypes', seed: 7, config: { steps: 1, units: 16, note: null } });
  b.log({ loss: 0.25 }, 0);
  b.end();
});
afterAll(() => registry?.close());

describe('runsFrame dtypes', () => {
  it('keeps a seed above 2^31 exact (as text: an identifier, not a quantity)', () => {
    const frame = runsFrame(searchRuns(registry, { sort: 'id' }));
    expect(frame['seed'].dtype).toBe('string');
    expect(frame['seed'].values).toEqual(['4063212469', '7']);
    expect(frame['id'].dtype).toBe('int32');
    expect(frame['id'].values).toEqual([1, 2]);
  });

  it('gives started_at as dates (danfo datetime), not raw milliseconds', () => {
    const frame = runsFrame(searchRuns(registry, { sort: 'id' }));
    expect(frame['started_at'].dtype).toBe('datetime');
    const [first] = frame['started_at'].values as unknown as Date[];
    expect(first).toBeInstanceOf(Date);
    expect(first.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(frame['started_at'].dt.year().values[0]).toBe(new Date().getFullYear());
  });

  it('types an all-null name (and config) column as text, not float32', () => {
    const frame = runsFrame(searchRuns(registry, { sort: 'id' }));
    expect(frame['name'].dtype).toBe('string');
    expect(frame['name'].values).toEqual([null, null]);
    expect(frame['experiment'].dtype).toBe('string');
    expect(frame['status'].dtype).toBe('string');
  });

  it('never wraps a number past int32 in .tensor: such a column is float32; int32 only when every run has a fitting integer', () => {
    const frame = runsFrame(searchRuns(registry, { sort: 'id' }));
    expect(frame['config.steps'].dtype).toBe('float32');
    expect(Array.from(frame['config.steps'].tensor.dataSync() as Float32Array)).toEqual([3_000_000_000, 1]);
    expect(frame['config.units'].dtype).toBe('int32');
    // a metric missing from a run is NaN, which int32 cannot hold
    expect(frame['metrics.epoch'].dtype).toBe('float32');
    expect(frame['metrics.epoch'].values).toEqual([1, NaN]);
  });
});
