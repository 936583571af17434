import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataFormatError, fingerprint, loadCsv } from '../../kernel-lib/src/data';
import { ROOT, runNode } from '../helpers';
import { tempDir } from '../support/temp';
import { streaming } from '../../kernel-lib/src/data/read-stream';
import { fixture, thrown } from './fixtures';

/**
 * loadCsv reads a file in pieces (so one past V8's ~512 MiB string limit loads). Small pieces
 * stand in for a huge file here: the result, its fingerprint and every error's place must not
 * depend on where the pieces are cut, and no piece handed on holds the whole file.
 */
const defaults = { ...streaming };
afterEach(() => Object.assign(streaming, defaults));

function withChunks<T>(bytes: number, body: () => T): T {
  streaming.chunkBytes = bytes;
  streaming.largestText = 0;
  return body();
}

/** A few MB of CSV with everything a cut can land in: quoted commas and line breaks, doubled quotes, 2-4 byte characters, blank lines. */
function sample(rows: number, newline: string): string {
  const lines = ['id,name,score,ok'];
  for (let i = 0; i < rows; i++) {
    const name = i % 7 === 0 ? `"multi${newline}line, ""quoted"" é ${i}"` : i % 5 === 0 ? `naïve😀${i}` : `n${i}`;
    lines.push(`${i},${name},${(i * 0.37).toFixed(2)},${i % 2 === 0}`);
    if (i % 1000 === 999) lines.push('');
  }
  return `\uFEFF${lines.join(newline)}${newline}`;
}

describe('loadCsv streaming', () => {
  it('gives the same frame and fingerprint whatever the piece size, without holding the whole text', () => {
    for (const [newline, sizes] of [['\n', [65_536, 61]], ['\r\n', [4093]]] as const) {
      const text = sample(120_000, newline);
      const path = fixture(`sample-${newline.length}.csv`, text);
      const whole = withChunks(64 * 1024 * 1024, () => loadCsv(path));
      expect(streaming.largestText).toBe(text.length - 1); // one piece: the text less its byte-order mark
      expect(whole.shape).toEqual([120_000, 4]);
      expect(whole.dtypes).toEqual(['int32', 'string', 'float32', 'boolean']);
      const expected = fingerprint(whole);
      expect((whole.values as unknown[][])[7]).toEqual([7, `multi${newline}line, "quoted" é 7`, 2.59, false]);
      expect((whole.values as unknown[][])[10]).toEqual([10, 'naïve😀10', 3.7, true]);
      for (const bytes of sizes) {
        const frame = withChunks(bytes, () => loadCsv(path));
        // The first 1 MiB (papaparse guesses the line ending from it), then a piece and an unfinished row.
        expect(streaming.largestText).toBeLessThan(1024 * 1024 + bytes + 100);
        expect(streaming.largestText).toBeLessThan(text.length / 3);
        // The fingerprint covers every value, its type and the row order.
        expect(fingerprint(frame)).toEqual(expected);
      }
    }
  });

  it('locates every error the same way whatever the piece size', () => {
    const good = sample(3000, '\n');
    const cases: [string, string | Buffer][] = [
      ['ragged', `${good}1,2,3\n`],
      ['number', `${good}x,b,1.5,true\n`],
      ['range', `${good}1,b,1e400,true\n`],
      ['quote', `${good}1,"open,1,true\n2,b,1,true\n`],
      ['invalid-quote', `${good}1,"a"b,1,true\n`],
      ['utf8', Buffer.concat([Buffer.from(`${good}1,caf`), Buffer.from([0xe9]), Buffer.from(',1,true\n')])],
      ['nul', Buffer.concat([Buffer.from(`${good}1,ab`), Buffer.from([0]), Buffer.from(',1,true\n')])],
    ];
    for (const [name, content] of cases) {
      const path = fixture(`${name}.csv`, content);
      const whole = withChunks(64 * 1024 * 1024, () => thrown(() => loadCsv(path)));
      expect(whole).toBeInstanceOf(DataFormatError);
      expect(whole.line).toBeGreaterThan(3000);
      for (const bytes of [4096, 5]) expect(withChunks(bytes, () => thrown(() => loadCsv(path))).message).toBe(whole.message);
    }
  });

  it('refuses a row longer than the limit (an unclosed quote) instead of gathering the rest of the file', () => {
    streaming.maxRowChars = 10_000;
    const path = fixture('unclosed.csv', `a,b\n1,"never closed\n${'2,x\n'.repeat(1_000_000)}`);
    const error = withChunks(4096, () => thrown(() => loadCsv(path)));
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error).toMatchObject({ line: 2 });
    expect(error.message).toContain('expected a row of at most 10000 characters, received a longer one. Look for a quote (") that is never closed');
    expect(streaming.largestText).toBeLessThan(1024 * 1024 + 5000);
  });

  it('still refuses empty, blank and UTF-16 files', () => {
    expect(thrown(() => withChunks(3, () => loadCsv(fixture('empty.csv', ''))))).toMatchObject({ message: expect.stringContaining('received an empty file') });
    expect(thrown(() => withChunks(3, () => loadCsv(fixture('blank.csv', ' \n\n   \n'))))).toMatchObject({ message: expect.stringContaining('received a file holding only white space') });
    expect(thrown(() => withChunks(3, () => loadCsv(fixture('utf16.csv', Buffer.from([0xff, 0xfe, 0x61, 0])))))).toMatchObject({ message: expect.stringContaining('byte-order mark FF FE') });
  });

  // Writes 1.1 GB and takes tens of seconds; it runs everywhere, since the bug only shows at that
  // size. The loading happens in a child process (the built package), so this worker stays free
  // to answer vitest while it parses.
  it('loads a CSV past V8\'s 512 MiB string limit, and refuses such a JSON file with an error', async () => {
    const dir = tempDir('labbook-big-csv-');
    const cell = 'a'.repeat(8000);
    const write = (name: string, head: string, row: (i: number) => string, tail: string): string => {
      const path = join(dir, name);
      const fd = openSync(path, 'w');
      writeSync(fd, head);
      for (let i = 0; i < 70_000; i++) writeSync(fd, row(i));
      writeSync(fd, tail);
      closeSync(fd);
      return path;
    };
    const csv = write('big.csv', 'i,s\n', (i) => `${i},${cell}\n`, '');
    const json = write('big.json', '[', (i) => `${i ? ',' : ''}{"s":"${cell}"}`, ']');
    const script = `
      const { loadCsv, loadJson } = require(${JSON.stringify(join(ROOT, 'kernel-lib', 'dist', 'data'))});
      const shape = loadCsv(process.argv[1]).shape;
      let message = 'no error';
      try { loadJson(process.argv[2]); } catch (error) { message = error.message; }
      process.stdout.write(JSON.stringify({ shape, message }));`;
    const result = await runNode(['-e', script, csv, json]);
    expect(result.code, result.stderr).toBe(0);
    const { shape, message } = JSON.parse(result.stdout) as { shape: number[]; message: string };
    expect(shape).toEqual([70_000, 2]);
    expect(message).toContain('expected a file of at most 512 MiB');
  }, 600_000);
});
