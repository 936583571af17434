/** Text to tokens: a lowercase, Unicode-aware word/number/punctuation tokenizer, and e-mail header stripping. */
import { invalidArgument } from '../../errors';

// A word starts with a letter and runs through letters, marks and digits ("naïve", "mp3", "don't");
// a number is digits with inner separators ("3.14", "1,000"); any other visible character is a
// token of its own. \p classes make this work for any script, not only ASCII.
const TOKEN = /\p{L}[\p{L}\p{M}\p{N}]*(?:'[\p{L}\p{M}]+)*|\p{N}+(?:[.,]\p{N}+)*|[^\s\p{L}\p{M}\p{N}]/gu;

/**
 * Lowercased tokens of a text, after Unicode NFKC normalization (so full-width and compatibility
 * forms match their plain letters) and with typographic apostrophes as "'".
 */
export function tokenize(text: string): string[] {
  if (typeof text !== 'string') throw invalidArgument('text', 'a string', text);
  const normalized = text.normalize('NFKC').toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'");
  return normalized.match(TOKEN) ?? [];
}

/**
 * The body of an RFC 822 message (what follows the first blank line), preceded by the values of
 * the headers named in `keep` (default: Subject, which says much about spam), one per line.
 * Folded header lines are joined. A text without a header block is returned unchanged.
 */
export function stripEmailHeaders(message: string, options: { keep?: string[] } = {}): string {
  if (typeof message !== 'string') throw invalidArgument('message', 'a string', message);
  const keep = (options.keep ?? ['Subject']).map((k) => k.toLowerCase());
  const text = message.replace(/\r\n/g, '\n');
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
  if (!/^(?:From |[!-9;-~]+:)/.test(firstLine)) return message;
  const blank = text.indexOf('\n\n');
  const head = blank === -1 ? text : text.slice(0, blank);
  const body = blank === -1 ? '' : text.slice(blank + 2);
  const kept: string[] = [];
  for (const field of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = field.indexOf(':');
    if (colon > 0 && keep.includes(field.slice(0, colon).trim().toLowerCase())) kept.push(field.slice(colon + 1).trim());
  }
  return kept.length > 0 ? `${kept.join('\n')}\n\n${body}` : body;
}
