import { describe, expect, it } from 'vitest';
import { DataFormatError, loadCsv, loadJson } from '../../kernel-lib/src/data';
import { fixture, thrown } from './fixtures';

/** What JSON.parse accepts silently or crashes on is a located DataFormatError instead. */
describe('loadJson limits', () => {
  it('refuses nesting past 64 levels where it passes them, in valid and invalid files alike', () => {
    for (const [name, text] of [
      ['deep-valid.json', `[{"a": ${'['.repeat(5000)}${']'.repeat(5000)}}]`],
      ['deep-invalid.json', `[{"a": ${'['.repeat(5000)}${']'.repeat(4999)}}]`],
      ['deep-objects.json', `[${'{"a": '.repeat(6000)}1${'}'.repeat(6000)}]`],
    ]) {
      const error = thrown(() => loadJson(fixture(name, text)));
      expect(error).toBeInstanceOf(DataFormatError);
      expect(error.message).toContain('expected at most 64 levels of nested arrays and objects, received deeper nesting');
      expect(error).toMatchObject({ line: 1 });
    }
    // 64 levels is still only the usual "not a table" error.
    const ok = thrown(() => loadJson(fixture('deep-64.json', `[{"a": ${'['.repeat(62)}${']'.repeat(62)}}]`)));
    expect(ok.message).toContain('Nested objects and arrays do not fit a table column');
  });

  it('refuses a duplicate key, naming it, the object and both places', () => {
    const error = thrown(() => loadJson(fixture('dup.json', '[\n  {"a": 1, "b": 2},\n  {"b": 3, "a": 4, "b": 5}\n]')));
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error).toMatchObject({ line: 3, column: 20 });
    expect(error.message).toContain('expected distinct keys in each object, received the key "b" twice in the object at $[1] (first at line 3, column 4)');
    const escaped = thrown(() => loadJson(fixture('dup-escaped.json', '[{"a": 1, "\\u0061": 2}]')));
    expect(escaped.message).toContain('the key "a" twice');
    expect(thrown(() => loadJson(fixture('dup-proto.json', '[{"x": 1, "__proto__": 1, "__proto__": 2}]'))).message).toContain('the key "__proto__" twice');
  });

  it('refuses a number past float64 (JSON.parse reads 1e400 as Infinity) or float32, where it is', () => {
    const error = thrown(() => loadJson(fixture('huge.json', '[{"a": 1},\n {"a": -1e400}]')));
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error).toMatchObject({ line: 2, column: 8 });
    expect(error.message).toContain('expected a number within float64 range (magnitude below about 1.8e308), received -1e400');
    const wide = thrown(() => loadJson(fixture('wide.json', `[{"a": 1${'0'.repeat(400)}}]`)));
    expect(wide.message).toContain('float64 range');
    const single = thrown(() => loadJson(fixture('float32.json', '[{"a": 1},\n {"a": 1e39}]')));
    expect(single).toMatchObject({ line: 2, field: 'a' });
    expect(single.message).toContain('expected a number within float32 range');
    // Underflow and the largest float32 are fine.
    expect(loadJson(fixture('small.json', '[{"a": 1e-400}, {"a": 3.4e38}]')).values).toEqual([[0], [3.4e38]]);
  });
});

describe('loadCsv number range', () => {
  it('refuses 1e400 (read as Infinity) and 1e39 (Infinity as float32), naming row and column, unless read as text', () => {
    const path = fixture('huge.csv', 'x,y\n1,2\n3,1e400\n');
    const error = thrown(() => loadCsv(path));
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error).toMatchObject({ line: 3, column: 2, field: 'y' });
    expect(error.message).toContain('expected a number within float32 range');
    expect(error.message).toContain("dtypes: { \"y\": 'string' }");
    expect(thrown(() => loadCsv(fixture('f32.csv', 'y\n-1e39\n'))).message).toContain('received "-1e39"');
    expect(loadCsv(path, { dtypes: { y: 'string' } }).values).toEqual([[1, '2'], [3, '1e400']]);
  });
});
