import { describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import { DataFormatError, loadCsv } from '../../kernel-lib/src/data';
import { fixture, thrown } from './fixtures';

function columnValues(frame: ReturnType<typeof loadCsv>, name: string): unknown[] {
  const c = frame.columns.indexOf(name);
  return (frame.values as unknown[][]).map((row) => row[c]);
}

describe('loadCsv: typed columns', () => {
  it('infers int32, float32, boolean and string columns, with missing values as NaN / null', () => {
    const path = fixture('typed.csv', 'id,price,ok,name,score\n1,2.5,true,ann,3\n2,,FALSE,,4\n3,1e3,true,"bob, jr",NA\n');
    const frame = loadCsv(path);
    expect(frame.columns).toEqual(['id', 'price', 'ok', 'name', 'score']);
    expect(frame.dtypes).toEqual(['int32', 'float32', 'boolean', 'string', 'float32']);
    expect(columnValues(frame, 'id')).toEqual([1, 2, 3]);
    expect(columnValues(frame, 'price')).toEqual([2.5, NaN, 1000]);
    expect(columnValues(frame, 'ok')).toEqual([true, false, true]);
    expect(columnValues(frame, 'name')).toEqual(['ann', null, 'bob, jr']);
    expect(columnValues(frame, 'score')).toEqual([3, 4, NaN]);
  });

  it('reads quoted line breaks, CRLF line ends and a UTF-8 byte-order mark, and skips blank lines', () => {
    const path = fixture('crlf.csv', '\ufeffa,b\r\n1,"two\r\nlines"\r\n\r\n3,x\r\n');
    const frame = loadCsv(path);
    expect(frame.columns).toEqual(['a', 'b']);
    expect(frame.shape).toEqual([2, 2]);
    expect(columnValues(frame, 'b')).toEqual(['two\r\nlines', 'x']);
  });

  it('keeps declared dtypes and selects columns in the order asked', () => {
    const path = fixture('declared.csv', 'zip,city,pop\n02139,Cambridge,118000\n10001,New York,21102\n');
    const frame = loadCsv(path, { dtypes: { zip: 'string', pop: 'float32' }, columns: ['pop', 'zip'] });
    expect(frame.columns).toEqual(['pop', 'zip']);
    expect(frame.dtypes).toEqual(['float32', 'string']);
    expect(columnValues(frame, 'zip')).toEqual(['02139', '10001']);
  });

  it('takes another delimiter and other missing markers', () => {
    const path = fixture('semi.csv', 'a;b\n1;-\n2;3.5\n');
    const frame = loadCsv(path, { delimiter: ';', missing: ['-'] });
    expect(frame.dtypes).toEqual(['int32', 'float32']);
    expect(columnValues(frame, 'b')).toEqual([NaN, 3.5]);
  });
});

describe('loadCsv: malformed input names file, line and column', () => {
  it('a ragged row, counting lines inside quoted fields', () => {
    const path = fixture('ragged.csv', 'a,b,c\n1,"x\ny",3\n4,5\n');
    const error = thrown(() => loadCsv(path));
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error).toBeInstanceOf(LabbookError);
    expect(error).toMatchObject({ file: path, line: 4, column: 3, field: 'c', code: 'INVALID_ARGUMENT' });
    expect(error.message).toBe(
      `Invalid data in ${path} at line 4, column 3 (\`c\`): expected 3 fields, as in the header, received 2 fields. Add the missing fields (leave a cell empty for a missing value).`,
    );
  });

  it('a row with too many fields', () => {
    const path = fixture('wide.csv', 'a,b\n1,2\n3,4,5\n');
    expect(thrown(() => loadCsv(path))).toMatchObject({ line: 3, column: 3, message: expect.stringContaining('expected 2 fields, as in the header, received 3 fields') });
  });

  it('an unparsable number in a declared numeric column', () => {
    const path = fixture('declared-bad.csv', 'name,price\nann,1.5\nbob,abc\n');
    const error = thrown(() => loadCsv(path, { dtypes: { price: 'float32' } }));
    expect(error).toMatchObject({ file: path, line: 3, column: 2, field: 'price' });
    expect(error.message).toContain('expected a number (the column is declared float32), received "abc"');
  });

  it('an unparsable number after the rows that made the column numeric', () => {
    const path = fixture('inferred-bad.csv', 'x,y\n1,a\n2,b\n3,c\n4..5,d\n');
    const error = thrown(() => loadCsv(path, { inferRows: 3 }));
    expect(error).toMatchObject({ line: 5, column: 1, field: 'x' });
    expect(error.message).toContain(`expected a number (the column's first values are numbers), received "4..5"`);
    expect(error.message).toContain(`dtypes: { "x": 'string' }`);
  });

  it('a missing value in a declared int32 column', () => {
    const path = fixture('int-missing.csv', 'n\n1\n\n2\nNA\n');
    expect(thrown(() => loadCsv(path, { dtypes: { n: 'int32' } }))).toMatchObject({ line: 5, column: 1, message: expect.stringContaining('declared int32') });
  });

  it('a missing required column, with a near miss suggested', () => {
    const path = fixture('required.csv', 'Name,Price\nann,1\n');
    const error = thrown(() => loadCsv(path, { required: ['price'] }));
    expect(error).toMatchObject({ file: path, line: 1 });
    expect(error.message).toContain('expected a header with the column `price`');
    expect(error.message).toContain('Did you mean `Price`?');
  });

  it('an empty file, a blank file and a header without rows', () => {
    expect(thrown(() => loadCsv(fixture('empty.csv', '')))).toMatchObject({ message: expect.stringContaining('received an empty file') });
    expect(thrown(() => loadCsv(fixture('blank.csv', '\n  \n')))).toMatchObject({ message: expect.stringContaining('received a file holding only white space') });
    expect(thrown(() => loadCsv(fixture('header-only.csv', 'a,b\n')))).toMatchObject({ line: 2, message: expect.stringContaining('at least one data row') });
  });

  it('bytes that are not UTF-8 (Latin-1), with the line and character column', () => {
    const bytes = Buffer.concat([Buffer.from('city,n\nParis,1\nBr'), Buffer.from([0xfc]), Buffer.from('ssel,2\n')]);
    const path = fixture('latin1.csv', bytes);
    const error = thrown(() => loadCsv(path));
    expect(error).toMatchObject({ file: path, line: 3, column: 3 });
    expect(error.message).toContain('received byte 0xFC after "Br", which is not valid UTF-8');
  });

  it('UTF-16 text, with or without a byte-order mark', () => {
    const marked = fixture('utf16.csv', Buffer.from('\ufeffa,b\n1,2\n', 'utf16le'));
    expect(thrown(() => loadCsv(marked))).toMatchObject({ line: 1, column: 1, message: expect.stringContaining('received UTF-16 text (byte-order mark FF FE)') });
    const bare = fixture('utf16-bare.csv', Buffer.from('a,b\n1,2\n', 'utf16le'));
    expect(thrown(() => loadCsv(bare))).toMatchObject({ line: 1, column: 2, message: expect.stringContaining('a NUL byte') });
  });

  it('an unterminated quote and a duplicate header name', () => {
    expect(thrown(() => loadCsv(fixture('quote.csv', 'a,b\n1,2\n3,"open\n4,5\n')))).toMatchObject({ line: 3, message: expect.stringContaining('a closing quote') });
    expect(thrown(() => loadCsv(fixture('dup.csv', 'a,b,a\n1,2,3\n')))).toMatchObject({ line: 1, column: 3, message: expect.stringContaining('distinct column names') });
  });

  it('bad arguments are refused before reading', () => {
    expect(() => loadCsv(fixture('ok.csv', 'a\n1\n'), { dtypes: { a: 'float64' as never } })).toThrow("Invalid value for `dtypes.a`: expected one of 'float32', 'int32', 'string', 'boolean', received \"float64\".");
    expect(() => loadCsv('/nonexistent/file.csv')).toThrow('expected a readable file');
  });
});
