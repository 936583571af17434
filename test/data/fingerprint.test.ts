import { describe, expect, it } from 'vitest';
import { DataFrame } from 'danfojs-node';
import { openRegistry } from '../../kernel-lib/src/registry';
import { fingerprint, loadCsv, logFrame } from '../../kernel-lib/src/data';
import { tempDb } from '../helpers';
import { fixture } from './fixtures';

const TEXT = 'id,x,label,ok\n1,0.5,a,true\n2,1.5,b,false\n3,,a,true\n';

describe('fingerprint', () => {
  it('does not depend on column order', () => {
    const frame = loadCsv(fixture('order-a.csv', TEXT));
    const reordered = loadCsv(fixture('order-a.csv', TEXT), { columns: ['ok', 'label', 'x', 'id'] });
    expect(reordered.columns).not.toEqual(frame.columns);
    const a = fingerprint(frame);
    expect(fingerprint(reordered)).toEqual(a);
    expect(a).toMatchObject({ rows: 3, columns: 4 });
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(a.schema).toEqual([
      { name: 'id', dtype: 'int32' },
      { name: 'label', dtype: 'string' },
      { name: 'ok', dtype: 'boolean' },
      { name: 'x', dtype: 'float32' },
    ]);
  });

  it('changes with one changed cell, a type, the row order or a column name', () => {
    const base = fingerprint(loadCsv(fixture('base.csv', TEXT))).sha256;
    const variants = {
      cell: TEXT.replace('1.5', '1.50001'),
      missing: TEXT.replace('3,,a', '3,0,a'),
      string: TEXT.replace('b,false', 'c,false'),
      rows: 'id,x,label,ok\n2,1.5,b,false\n1,0.5,a,true\n3,,a,true\n',
      name: TEXT.replace('label', 'labels'),
    };
    const prints = Object.entries(variants).map(([name, text]) => fingerprint(loadCsv(fixture(`${name}.csv`, text))).sha256);
    for (const print of prints) expect(print).not.toBe(base);
    expect(new Set(prints).size).toBe(prints.length);
    // Same values, another dtype: int32 1,2,3 against float32 1,2,3.
    const asInt = fingerprint(loadCsv(fixture('int.csv', 'v\n1\n2\n3\n'))).sha256;
    const asFloat = fingerprint(loadCsv(fixture('int.csv', 'v\n1\n2\n3\n'), { dtypes: { v: 'float32' } })).sha256;
    const asText = fingerprint(loadCsv(fixture('int.csv', 'v\n1\n2\n3\n'), { dtypes: { v: 'string' } })).sha256;
    expect(new Set([asInt, asFloat, asText]).size).toBe(3);
  });

  it('is a pure function of the values: a frame built by hand from the same cells hashes alike', () => {
    const loaded = loadCsv(fixture('same.csv', TEXT));
    const built = new DataFrame(
      { ok: [true, false, true], id: [1, 2, 3], x: [0.5, 1.5, NaN], label: ['a', 'b', 'a'] },
      { dtypes: ['boolean', 'int32', 'float32', 'string'] },
    );
    expect(fingerprint(built).sha256).toBe(fingerprint(loaded).sha256);
    expect(fingerprint(loaded).sha256).toBe(fingerprint(loaded).sha256);
  });

  it('hashes every row, not a sample', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},${i * 0.5}`);
    const text = `a,b\n${rows.join('\n')}\n`;
    const base = fingerprint(loadCsv(fixture('long.csv', text))).sha256;
    const changed = text.replace('\n3712,1856\n', '\n3712,1856.25\n');
    expect(changed).not.toBe(text);
    expect(fingerprint(loadCsv(fixture('long2.csv', changed))).sha256).not.toBe(base);
  });

  it('logFrame records it with the run', () => {
    const registry = openRegistry({ db: tempDb() });
    try {
      const run = registry.startRun({ experiment: 'data-test', config: {}, seed: 1 });
      const frame = loadCsv(fixture('logged.csv', TEXT));
      const print = logFrame(run, 'train', frame, 'fixture:logged.csv');
      run.end();
      expect(registry.getRun(run.id).datasets).toEqual([
        { name: 'train', sha256: print.sha256, rows: 3, columns: 4, schema: print.schema, source: 'fixture:logged.csv' },
      ]);
    } finally {
      registry.close();
    }
  });
});
