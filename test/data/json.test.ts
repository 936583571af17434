import { describe, expect, it } from 'vitest';
import { DataFormatError, loadJson } from '../../kernel-lib/src/data';
import { fixture, thrown } from './fixtures';

function columnValues(frame: ReturnType<typeof loadJson>, name: string): unknown[] {
  const c = frame.columns.indexOf(name);
  return (frame.values as unknown[][]).map((row) => row[c]);
}

describe('loadJson: typed columns', () => {
  it('types numbers, booleans and strings; null and absent keys are missing', () => {
    const path = fixture('typed.json', JSON.stringify([
      { id: 1, w: 2.5, ok: true, name: 'ann' },
      { id: 2, w: null, ok: false, name: null, extra: 'x' },
      { id: 3, w: 4, ok: true },
    ]));
    const frame = loadJson(path);
    expect(frame.columns).toEqual(['id', 'w', 'ok', 'name', 'extra']);
    expect(frame.dtypes).toEqual(['int32', 'float32', 'boolean', 'string', 'string']);
    expect(columnValues(frame, 'w')).toEqual([2.5, NaN, 4]);
    expect(columnValues(frame, 'name')).toEqual(['ann', null, null]);
    expect(columnValues(frame, 'extra')).toEqual([null, 'x', null]);
  });

  it('keeps declared dtypes (numeric strings become numbers) and selected columns', () => {
    const path = fixture('declared.json', '[{"a": "1.5", "b": 2, "c": 3}, {"a": "2", "b": 7, "c": 4}]');
    const frame = loadJson(path, { dtypes: { a: 'float32', b: 'string' }, columns: ['b', 'a'] });
    expect(frame.columns).toEqual(['b', 'a']);
    expect(frame.dtypes).toEqual(['string', 'float32']);
    expect(columnValues(frame, 'a')).toEqual([1.5, 2]);
    expect(columnValues(frame, 'b')).toEqual(['2', '7']);
  });
});

describe('loadJson: malformed input names file, line and column', () => {
  it('a syntax error (a trailing comma)', () => {
    const path = fixture('syntax.json', '[\n  {"a": 1},\n  {"a": 2},\n]\n');
    const error = thrown(() => loadJson(path));
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error).toMatchObject({ file: path, line: 4, column: 1 });
    expect(error.message).toContain('expected a JSON value, received "]\\n"');
  });

  it('an unterminated string', () => {
    const path = fixture('string.json', '[{"a": "ok"},\n {"a": "open}]');
    expect(thrown(() => loadJson(path))).toMatchObject({ line: 2, column: 8, message: expect.stringContaining('a closing quote') });
  });

  it('a document that is not an array of records', () => {
    const path = fixture('object.json', '\n  {"data": [{"a": 1}]}');
    const error = thrown(() => loadJson(path));
    expect(error).toMatchObject({ line: 2, column: 3 });
    expect(error.message).toContain('expected an array of records ([{"column": value, ...}, ...]), received an object with keys `data`');
    expect(error.message).toContain('under `data`');
    expect(thrown(() => loadJson(fixture('empty-array.json', '[]')))).toMatchObject({ message: expect.stringContaining('received an empty array') });
  });

  it('an element that is not a record', () => {
    const path = fixture('element.json', '[\n  {"a": 1},\n  [1, 2]\n]');
    const error = thrown(() => loadJson(path));
    expect(error).toMatchObject({ line: 3, column: 3 });
    expect(error.message).toContain('expected a record (a JSON object) as element 2 of the array, received an array of 2');
  });

  it('a value of another type than the column, where the value is', () => {
    const path = fixture('mixed.json', '[\n  {"a": 1, "b": 2},\n  {"b": 3, "a": "x"}\n]');
    const error = thrown(() => loadJson(path));
    expect(error).toMatchObject({ file: path, line: 3, column: 17, field: 'a' });
    expect(error.message).toContain(`expected a number (the column's first values are numbers), received "x"`);
  });

  it('a nested value and a record without a required field', () => {
    expect(thrown(() => loadJson(fixture('nested.json', '[{"a": {"b": 1}}]')))).toMatchObject({ line: 1, column: 8, message: expect.stringContaining('received {"b":1}') });
    const path = fixture('required.json', '[{"a": 1, "b": 2},\n {"a": 3}]');
    const error = thrown(() => loadJson(path, { required: ['b'] }));
    expect(error).toMatchObject({ line: 2, column: 2 });
    expect(error.message).toContain('expected a record with the required field `b`, received a record without it (fields `a`)');
  });

  it('invalid UTF-8 and a UTF-16 byte-order mark', () => {
    const bytes = Buffer.concat([Buffer.from('[{"a": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}]')]);
    expect(thrown(() => loadJson(fixture('bad-utf8.json', bytes)))).toMatchObject({ line: 1, column: 9, message: expect.stringContaining('byte 0xC3') });
    expect(thrown(() => loadJson(fixture('utf16.json', Buffer.from([0xfe, 0xff, 0, 0x5b, 0, 0x5d]))))).toMatchObject({ message: expect.stringContaining('byte-order mark FE FF') });
  });
});
