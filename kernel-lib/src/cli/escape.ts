/** What the CLI prints from a registry, made safe for a terminal: control characters shown, never acted on. */

/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC opens colour, cursor, title and
 * clipboard sequences; CR and LF forge lines), DEL, C1 controls (U+009B is a one-byte CSI), the Unicode
 * bidi controls that reorder what is displayed ("Trojan Source"), and the Unicode line separators.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The same set less the C0 controls, which JSON.stringify already escapes. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: { [ch: string]: string } = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const hex = (ch: string, digits: number) => ch.charCodeAt(0).toString(16).padStart(digits, '0');

/**
 * Text from a registry (names, tags, config values, keys, errors) as it may be printed: each unsafe
 * character becomes a visible escape (`\x1b`, `\r`, `\n`, `\u202e`). `keep` lists the characters
 * the caller's own layout uses (print() keeps its line breaks).
 */
export function visible(text: string, keep = ''): string {
  return text.replace(UNSAFE, (ch) => (keep.includes(ch) ? ch : (NAMED[ch] ?? (ch < '\u0100' ? `\\x${hex(ch, 2)}` : `\\u${hex(ch, 4)}`))));
}

/**
 * JSON text whose strings carry no character a terminal acts on: those JSON.stringify leaves raw
 * become `\uXXXX` escapes, so the text still parses to exactly the same value.
 */
export function safeJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_JSON, (ch) => `\\u${hex(ch, 4)}`);
}
