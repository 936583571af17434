/** Reading a data file as UTF-8 text, refusing other encodings with the place of the first bad byte (JSON; CSV streams: read-stream.ts). */
import { readFileSync, statSync } from 'node:fs';
import { invalidArgument } from '../errors';
import { DataFormatError } from './errors';

export const FIX_ENCODING = 'Re-save the file as UTF-8 (for example `iconv -f LATIN1 -t UTF-8 in.csv > out.csv`).';

/**
 * The file's text. A UTF-8 byte-order mark is dropped (spreadsheets write one); a UTF-16 mark,
 * a NUL byte or an invalid UTF-8 sequence is an error rather than silently decoded mojibake.
 */
export function readText(path: string): string {
  if (typeof path !== 'string' || path === '') throw invalidArgument('path', 'a file path', path);
  let bytes: Buffer;
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    bytes = readFileSync(path);
  } catch {
    throw invalidArgument('path', 'a readable file', path, 'Check the path (relative paths start at the current folder).');
  }
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const mark = bytes[0] === 0xff ? 'FF FE' : 'FE FF';
    throw new DataFormatError({ file: path, line: 1, column: 1 }, 'UTF-8 text', `UTF-16 text (byte-order mark ${mark})`, 'Re-save the file as UTF-8 (for example `iconv -f UTF-16 -t UTF-8 in.csv > out.csv`).');
  }
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start);
  const bad = firstInvalidUtf8(body);
  if (bad !== -1) {
    const where = locateByte(body, bad);
    const shown = `byte 0x${body[bad].toString(16).toUpperCase().padStart(2, '0')}${where.before ? ` after ${JSON.stringify(where.before)}` : ''}`;
    throw new DataFormatError({ file: path, line: where.line, column: where.column }, 'UTF-8 text', `${shown}, which is not valid UTF-8`, FIX_ENCODING);
  }
  const nul = body.indexOf(0);
  if (nul !== -1) {
    const where = locateByte(body, nul);
    throw new DataFormatError({ file: path, line: where.line, column: where.column }, 'UTF-8 text', 'a NUL byte (UTF-16 without a byte-order mark, or a binary file)', FIX_ENCODING);
  }
  let text: string;
  try {
    text = body.toString('utf8');
  } catch {
    // Past V8's longest string (~512 MiB); CSV streams, but a JSON document is parsed whole.
    throw new DataFormatError({ file: path }, 'a file of at most 512 MiB (it is parsed as one text)', `${bytes.length} bytes`, 'Split the records over several files, or save them as CSV, which loads in pieces.');
  }
  if (text.trim() === '') {
    throw new DataFormatError({ file: path }, 'a header and at least one record', bytes.length === 0 ? 'an empty file' : 'a file holding only white space', 'Check that the file was written completely.');
  }
  return text;
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (need === 0 || i + need > b.length - 1) return i; // a lead byte that cannot start, or a cut-off sequence
    for (let k = 1; k <= need; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    const next = b[i + 1];
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid too.
    if ((c === 0xe0 && next < 0xa0) || (c === 0xed && next > 0x9f) || (c === 0xf0 && next < 0x90) || (c === 0xf4 && next > 0x8f)) return i;
    i += need + 1;
  }
  return -1;
}

/** Line and character column of a byte offset, and up to 20 characters of text before it. */
function locateByte(b: Buffer, offset: number): { line: number; column: number; before: string } {
  let line = 1;
  let lineStart = 0;
  for (let i = b.indexOf(0x0a); i !== -1 && i < offset; i = b.indexOf(0x0a, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const prefix = b.subarray(lineStart, offset).toString('utf8');
  const chars = [...prefix];
  return { line, column: chars.length + 1, before: chars.slice(-20).join('') };
}
