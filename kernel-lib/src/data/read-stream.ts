/** Reading a data file as UTF-8 text in chunks, so a file past V8's longest string (~512 MiB) still loads. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { invalidArgument } from '../errors';
import { DataFormatError } from './errors';
import { FIX_ENCODING, firstInvalidUtf8 } from './read';

/** Tunables, and the longest text a parser was given, which tests read to show that no string holds a whole large file. */
export const streaming = { chunkBytes: 4 * 1024 * 1024, maxRowChars: 64 * 1024 * 1024, largestText: 0 };

/**
 * Calls `onText` with the file's text in order, in pieces of about `streaming.chunkBytes` that never
 * split a character, then once with `last` true. The same checks as readText: a UTF-16 mark, an
 * invalid UTF-8 sequence or a NUL byte is an error naming its line and column, a UTF-8 mark is
 * dropped, and an empty or blank file is refused (leading white space is held back until
 * something else arrives, so that nothing has been handed on when that error is thrown).
 */
export function readTextChunks(path: string, onText: (text: string, last: boolean) => void): void {
  if (typeof path !== 'string' || path === '') throw invalidArgument('path', 'a file path', path);
  let fd: number;
  try {
    fd = openSync(path, 'r');
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      throw new Error('not a file');
    }
  } catch {
    throw invalidArgument('path', 'a readable file', path, 'Check the path (relative paths start at the current folder).');
  }
  try {
    stream(fd, path, onText);
  } finally {
    closeSync(fd);
  }
}

function stream(fd: number, path: string, onText: (text: string, last: boolean) => void): void {
  const size = Math.max(4, streaming.chunkBytes);
  const buffer = Buffer.alloc(size + 3);
  let carry = 0; // bytes of a character cut by the previous read, moved to the buffer's start
  let offset = 0; // file offset of buffer[0]
  let first = true;
  let blank = ''; // leading white space, held back
  let seenText = false;
  let total = 0;
  for (;;) {
    const read = readSync(fd, buffer, carry, size, null);
    total += read;
    const end = carry + read;
    const eof = read === 0;
    let start = 0;
    if (first && end >= 2) {
      if ((buffer[0] === 0xff && buffer[1] === 0xfe) || (buffer[0] === 0xfe && buffer[1] === 0xff)) {
        const mark = buffer[0] === 0xff ? 'FF FE' : 'FE FF';
        throw new DataFormatError({ file: path, line: 1, column: 1 }, 'UTF-8 text', `UTF-16 text (byte-order mark ${mark})`, 'Re-save the file as UTF-8 (for example `iconv -f UTF-16 -t UTF-8 in.csv > out.csv`).');
      }
      if (end >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) start = 3;
    }
    if (first && (end >= 3 || eof)) first = false;
    const cut = eof ? end : characterEnd(buffer, start, end);
    const bytes = buffer.subarray(start, cut);
    const bad = firstInvalidUtf8(bytes);
    const nul = bytes.indexOf(0);
    if (bad !== -1 && (nul === -1 || bad < nul)) throw badByte(fd, path, offset + start + bad, 'invalid');
    if (nul !== -1) throw badByte(fd, path, offset + start + nul, 'nul');
    let text = bytes.toString('utf8');
    if (!seenText) {
      blank += text;
      if (blank.trim() === '') text = '';
      else {
        text = blank;
        blank = '';
        seenText = true;
      }
    }
    if (!seenText && eof) {
      throw new DataFormatError({ file: path }, 'a header and at least one record', total === 0 ? 'an empty file' : 'a file holding only white space', 'Check that the file was written completely.');
    }
    if (text !== '' || eof) onText(text, eof);
    if (eof) return;
    buffer.copy(buffer, 0, cut, end);
    offset += cut;
    carry = end - cut;
  }
}

/** Where the last whole character in buffer[start, end) ends: a sequence cut by the read waits for the next one. */
function characterEnd(b: Buffer, start: number, end: number): number {
  for (let i = end - 1; i >= Math.max(start, end - 3); i--) {
    const c = b[i];
    if (c < 0x80) return end;
    if (c >= 0xc0) {
      const length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return i + length > end ? i : end;
    }
  }
  return end;
}

/** The error for a bad byte at file offset `at`, located by a second pass over the bytes before it. */
function badByte(fd: number, path: string, at: number, kind: 'invalid' | 'nul'): DataFormatError {
  const chunk = Buffer.alloc(1024 * 1024);
  let line = 1;
  let column = 1;
  let tail = Buffer.alloc(0);
  const mark = Buffer.alloc(3);
  // A UTF-8 byte-order mark is not a column.
  let pos = readSync(fd, mark, 0, 3, 0) === 3 && mark[0] === 0xef && mark[1] === 0xbb && mark[2] === 0xbf ? 3 : 0;
  while (pos < at) {
    const n = readSync(fd, chunk, 0, Math.min(chunk.length, at - pos), pos);
    if (n === 0) break;
    for (let i = 0; i < n; i++) {
      const c = chunk[i];
      if (c === 0x0a) {
        line++;
        column = 1;
      } else if ((c & 0xc0) !== 0x80) column++;
    }
    tail = Buffer.concat([tail, chunk.subarray(0, n)]).subarray(-80);
    pos += n;
  }
  const before = [...tail.toString('utf8').split('\n').pop()!.replace(/^\uFFFD+/, '')].slice(-20).join('');
  if (kind === 'nul') {
    return new DataFormatError({ file: path, line, column }, 'UTF-8 text', 'a NUL byte (UTF-16 without a byte-order mark, or a binary file)', FIX_ENCODING);
  }
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, at);
  const shown = `byte 0x${byte[0].toString(16).toUpperCase().padStart(2, '0')}${before ? ` after ${JSON.stringify(before)}` : ''}`;
  return new DataFormatError({ file: path, line, column }, 'UTF-8 text', `${shown}, which is not valid UTF-8`, FIX_ENCODING);
}
