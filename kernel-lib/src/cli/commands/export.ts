/** `labbook export`: runs with their config and latest metrics, as CSV or JSON. */
import { writeFileSync } from 'node:fs';
import { LabbookError } from '../../errors';
import { runsTable, searchRuns, type RunsTable, type RunSummary } from '../../query';
import { parse } from '../args';
import { type Command, withRegistry } from '../command';
import { safeJson, visible } from '../escape';
import { teamUrl } from '../team-store';
import { QUERY_OPTIONS, searchOptions, summaryJson } from './runs';

const usage = 'labbook export --format csv|json [--experiment NAME] [--where EXPR] [--sort FIELD] [--limit N] [--parent ID] [-o FILE] [--db PATH]';

export const exportRuns: Command = {
  name: 'export',
  summary: 'export runs with config and latest metrics as CSV or JSON',
  usage,
  run(argv) {
    const { values } = parse(argv, { ...QUERY_OPTIONS, format: { type: 'string' }, output: { type: 'string', short: 'o' } }, usage);
    const format = values.format ?? (values.json ? 'json' : undefined);
    if (format !== 'csv' && format !== 'json') {
      throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`--format\`: expected csv or json, received ${JSON.stringify(format ?? null)}. Usage: ${usage}`);
    }
    const team = teamUrl(values.db);
    if (team) return (require('./team') as typeof import('./team')).teamSearch(team, searchOptions(values)).then((found) => write(found));
    return withRegistry(values.db, (registry) => write(searchRuns(registry, searchOptions(values))));
    function write(found: RunSummary[]): number {
      // CSV is data, exact in a file or down a pipe; on a terminal each field's control characters are shown, not acted on.
      const onTerminal = !values.output && process.stdout.isTTY === true;
      const text = format === 'json' ? `${safeJson(found.map(summaryJson))}\n` : toCsv(exportTable(found), onTerminal);
      if (values.output) {
        writeFileSync(values.output, text);
        process.stderr.write(`wrote ${found.length} runs to ${visible(values.output)}\n`);
      } else {
        process.stdout.write(text);
      }
      return 0;
    }
  },
};

/**
 * runsTable plus what makes an exported run whole: when it ended, how long it took (seconds; empty
 * while it runs) and its tags, so a spreadsheet or a pandas frame needs no second query.
 */
export function exportTable(found: readonly RunSummary[]): RunsTable {
  const t = runsTable(found);
  const at = t.columns.indexOf('started_at') + 1;
  const tagKeys = [...new Set(found.flatMap((s) => Object.keys(s.tags)))].sort();
  const columns = [...t.columns.slice(0, at), 'ended_at', 'duration_s', ...t.columns.slice(at), ...tagKeys.map((k) => `tags.${k}`)];
  const rows = t.rows.map((row, i) => {
    const s = found[i];
    const duration = s.endedAt === null ? null : (s.endedAt - s.startedAt) / 1000;
    return [...row.slice(0, at), s.endedAt, duration, ...row.slice(at), ...tagKeys.map((k) => (Object.hasOwn(s.tags, k) ? s.tags[k] : null))];
  });
  return { columns, rows };
}

/**
 * RFC 4180: quote fields holding a comma, quote or line break; times as ISO 8601. A text value a
 * spreadsheet would run as a formula (it starts with = + - @, a tab or a CR) gets a leading `'` and
 * quotes, as OWASP's CSV-injection advice says; numbers, negative ones too, stay numbers.
 */
export function toCsv(t: { columns: string[]; rows: unknown[][] }, forTerminal = false): string {
  const times = new Set([t.columns.indexOf('started_at'), t.columns.indexOf('ended_at')]);
  const field = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    const raw = typeof value === 'object' ? JSON.stringify(value) : String(value);
    const text = forTerminal ? visible(raw) : raw;
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(raw)) return `"'${text.replace(/"/g, '""')}"`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const rows = t.rows.map((r) => r.map((value, i) => field(times.has(i) && typeof value === 'number' ? new Date(value).toISOString() : value)));
  return [t.columns.map(field), ...rows].map((r) => r.join(',')).join('\n') + '\n';
}
