/** Sanitizers for output regression (nbval's regex/replace pairs) and the line diff its failures print; pure functions. */
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { invalidArgument } from '../errors';

/** A project's sanitizer, as nbval's sanitize files pair them: every match of `regex` becomes `replace` ($1 and the like allowed). */
export interface Sanitizer {
  regex: string | RegExp;
  replace: string;
  /** With a string regex: its flags (`g` is always added). */
  flags?: string;
}

/** What the sanitizers compile to: always global, so every match is replaced. */
export interface CompiledSanitizer {
  pattern: RegExp;
  replace: string;
}

const DAYS = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTHS = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';

/**
 * What changes between two honest executions of the same notebook. Order matters: whole
 * date-times before their parts, paths before the hex inside a temp folder's name. Run ids are
 * left alone: each execution has a fresh registry, so `run 1` is run 1 every time.
 */
const BUILT_IN: [RegExp, string][] = [
  // ISO 8601 and labbook's `started 2026-12-01 13:07:18`
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<DATETIME>'],
  // Date.prototype.toString() and toUTCString()
  [new RegExp(`\\b${DAYS} ${MONTHS} \\d{1,2} \\d{4} \\d{2}:\\d{2}:\\d{2}(?: GMT[+-]\\d{4})?(?: \\([^)]*\\))?`, 'g'), '<DATETIME>'],
  [new RegExp(`\\b${DAYS}, \\d{1,2} ${MONTHS} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT`, 'g'), '<DATETIME>'],
  [/\b\d{4}-\d{2}-\d{2}\b/g, '<DATE>'],
  [/\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b/g, '<TIME>'],
  // UUIDs, then hashes and ids of 12+ hex characters (a digit among them, so words like `effaced` stay)
  [/\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g, '<UUID>'],
  [/\b(?=[a-fA-F]*\d)[0-9a-fA-F]{12,}\b/g, '<HEX>'],
  // Throughput and timings labbook's own tables and progress print, whatever their unit
  [/\b(samples_per_sec|epoch_seconds|duration_?ms|durationMs|elapsed\w*|took)(["']?\s*[:=]?\s*)-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:\s?(?:ms|s))?/gi, '$1$2<N>'],
  // Durations: 12.3s, 350 ms, 1m02s, 1h02m03s, 4.5 seconds
  [/\b\d+h\d{1,2}m(?:\d{1,2}(?:\.\d+)?s)?\b/g, '<DURATION>'],
  [/\b\d+m\d{1,2}(?:\.\d+)?s\b/g, '<DURATION>'],
  [/\b\d+(?:\.\d+)?\s?(?:ms|µs|us|ns|s|sec|secs|seconds?|minutes?)\b/g, '<DURATION>'],
];

/** The built-in sanitizers, the project root and temp folder as placeholders, then the project's own (applied last, to what the built-ins left). */
export function compileSanitizers(root: string, project: readonly Sanitizer[] = []): CompiledSanitizer[] {
  const paths: CompiledSanitizer[] = [];
  // A temp path's folder name is random: the whole path goes. Under the root only the root goes.
  for (const tmp of unique([tmpdir(), real(tmpdir())])) paths.push({ pattern: new RegExp(`${escape(tmp)}[\\\\/][^\\s'"\`,;)\\]}]*`, 'g'), replace: '<TMP>' });
  for (const dir of unique([root, real(root)])) if (dir.length > 1) paths.push({ pattern: new RegExp(`${escape(dir)}(?=[\\\\/]|\\b|$)`, 'g'), replace: '<ROOT>' });
  return [...paths, ...BUILT_IN.map(([pattern, replace]) => ({ pattern, replace })), ...project.map((s, i) => compileOne(s, i))];
}

/** Checks a project's sanitizers (plain JSON in the plugin options) and makes their regexes plain strings that travel as JSON. */
export function checkSanitizers(value: unknown): { regex: string; flags: string; replace: string }[] {
  if (!Array.isArray(value)) throw invalidArgument('sanitizers', 'an array of {regex, replace}', value);
  return value.map((s, i) => {
    const { pattern } = compileOne(s as Sanitizer, i);
    return { regex: pattern.source, flags: pattern.flags, replace: (s as Sanitizer).replace };
  });
}

export function sanitize(text: string, sanitizers: readonly CompiledSanitizer[]): string {
  let out = text;
  for (const { pattern, replace } of sanitizers) out = out.replace(pattern, replace);
  return out;
}

function compileOne(s: Sanitizer, i: number): CompiledSanitizer {
  if (s === null || typeof s !== 'object' || typeof s.replace !== 'string' || !(typeof s.regex === 'string' || s.regex instanceof RegExp)) {
    throw invalidArgument(`sanitizers[${i}]`, 'an object {regex: a RegExp or its source, replace: a string}', s);
  }
  const source = typeof s.regex === 'string' ? s.regex : s.regex.source;
  const flags = typeof s.regex === 'string' ? (s.flags ?? '') : s.regex.flags;
  try {
    return { pattern: new RegExp(source, flags.includes('g') ? flags : `${flags}g`), replace: s.replace };
  } catch (error) {
    throw invalidArgument(`sanitizers[${i}].regex`, 'a valid regular expression', source, `It does not compile: ${(error as Error).message}.`);
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/**
 * A unified-style diff of two line lists (`-` committed, `+` now), with 2 lines of context per
 * hunk. Cells print tens of lines, so a plain LCS table is cheap; past MAX_LINES both sides are
 * shown whole rather than spending quadratic time on a cell that dumps a dataset.
 */
export function lineDiff(before: readonly string[], after: readonly string[], context = 2): string {
  const MAX_LINES = 2000;
  if (before.length > MAX_LINES || after.length > MAX_LINES) return [...before.map((l) => `- ${l}`), ...after.map((l) => `+ ${l}`)].join('\n');
  const n = before.length;
  const m = after.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = before[i] === after[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: { kind: ' ' | '-' | '+'; line: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) ops.push({ kind: ' ', line: before[i++] }), j++;
    // Removals before additions, as diff prints a changed line.
    else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push({ kind: '-', line: before[i++] });
    else ops.push({ kind: '+', line: after[j++] });
  }
  // Within a run of changes, the committed lines first, then the new ones, as diff prints them.
  for (let start = 0; start < ops.length; start++) {
    if (ops[start].kind === ' ') continue;
    let end = start;
    while (end < ops.length && ops[end].kind !== ' ') end++;
    const run = ops.slice(start, end);
    ops.splice(start, run.length, ...run.filter((o) => o.kind === '-'), ...run.filter((o) => o.kind === '+'));
    start = end;
  }
  const near = ops.map((_, k) => ops.slice(Math.max(0, k - context), k + context + 1).some((o) => o.kind !== ' '));
  const lines: string[] = [];
  ops.forEach((op, k) => {
    if (near[k]) lines.push(`${op.kind} ${op.line}`);
    else if (k === 0 || near[k - 1]) lines.push('  ...');
  });
  return lines.join('\n');
}
