// Pipeline.transform(frame, {without}): a frame without the target column transforms; a feature missing by mistake still fails.
import { describe, expect, it } from 'vitest';
import { LabelEncoder, Pipeline, Standardizer } from '../../kernel-lib/src';
import { makeFrame } from '../../kernel-lib/src/data/frame';

const train = makeFrame([
  { name: 'x', dtype: 'float32', values: [1, 2, 3] },
  { name: 'y', dtype: 'string', values: ['a', 'b', 'a'] },
]);

describe('Pipeline.transform without the target', () => {
  it('skips the steps fitted only on the columns named in `without`', () => {
    const pipeline = new Pipeline().add(new Standardizer(), ['x']).add(new LabelEncoder(), ['y']);
    pipeline.fit(train);
    const rows = makeFrame([{ name: 'x', dtype: 'float32', values: [2] }]);
    expect(() => pipeline.transform(rows)).toThrow(/received "y"/);
    const out = pipeline.transform(rows, { without: ['y'] });
    expect(out.columns).toEqual(['x']);
    expect(out.column('x').values).toEqual([0]);
    expect(() => pipeline.transform(makeFrame([{ name: 'z', dtype: 'float32', values: [2] }]), { without: ['y'] })).toThrow(/received "x"/);
  });

  it('refuses to skip half of a step fitted on the target and a feature together', () => {
    const pipeline = new Pipeline().add(new LabelEncoder(), ['y', 'x']);
    pipeline.fit(train);
    expect(() => pipeline.transform(train, { without: ['y'] })).toThrow(/Fit the target in a step of its own/);
  });
});
