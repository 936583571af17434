/** The fields filters and sorts may name, and the correlated SQL each one reads. */
import { closestName } from '../suggest';
import type { ErrorFactory, Segment } from './lexer';

export type RunColumn = 'id' | 'name' | 'experiment' | 'status' | 'seed' | 'started_at' | 'ended_at' | 'config_hash' | 'code_hash' | 'parent';

export const RUN_COLUMNS: readonly RunColumn[] = [
  'id',
  'name',
  'experiment',
  'status',
  'seed',
  'started_at',
  'ended_at',
  'config_hash',
  'code_hash',
  'parent',
];

export type FieldRef =
  | { kind: 'column'; column: RunColumn; text: string }
  | { kind: 'config'; key: string; text: string }
  | { kind: 'metric'; key: string; aggregate: 'value' | 'min' | 'max'; text: string }
  | { kind: 'tag'; key: string; text: string };

export const FIELD_HELP = `config.<key>, metrics.<key>[.min|.max], tags.<key>, or one of ${RUN_COLUMNS.join(', ')}`;

const PREFIXES = ['config', 'metrics', 'tags'] as const;

/** Turns a lexed path into a field, or fails naming what the caller may write instead. */
export function resolveField(segments: Segment[], text: string, pos: number, fail: ErrorFactory): FieldRef {
  const [head, ...rest] = segments;
  if (!head.quoted && (PREFIXES as readonly string[]).includes(head.text)) {
    if (rest.length === 0) {
      throw fail(pos, `field \`${text}\` needs a key`, `${head.text}.<key>`, `\`${text}\``);
    }
    const key = rest.map((s) => s.text).join('.');
    if (head.text === 'config') return { kind: 'config', key, text };
    if (head.text === 'tags') return { kind: 'tag', key, text };
    const last = rest[rest.length - 1];
    // `.min`/`.max` always mean the aggregate; a metric literally named `loss.min` is written `loss.min` in backticks.
    if (rest.length > 1 && !last.quoted && (last.text === 'min' || last.text === 'max')) {
      const base = rest.slice(0, -1).map((s) => s.text).join('.');
      return { kind: 'metric', key: base, aggregate: last.text, text };
    }
    return { kind: 'metric', key, aggregate: 'value', text };
  }
  if (segments.length === 1 && (RUN_COLUMNS as readonly string[]).includes(head.text)) {
    return { kind: 'column', column: head.text as RunColumn, text };
  }
  // A typo in the prefix or column gets a suggestion; a bare key most likely meant a config key.
  const guess = closestName(head.text, rest.length > 0 ? PREFIXES : RUN_COLUMNS);
  const restText = rest.map((s) => `.${s.text}`).join('');
  let fix: string | undefined;
  if (guess) fix = `Did you mean \`${guess}${restText}\`?`;
  else if (rest.length === 0) fix = `Config keys are written \`config.${head.text}\`, metrics \`metrics.${head.text}\`.`;
  throw fail(pos, `unknown field \`${text}\``, FIELD_HELP, undefined, fix);
}

/**
 * A scalar expression over the run aliased `alias`. Keys are bound parameters, never spliced.
 * Lookups are correlated subqueries rather than joins so that a run without the key yields NULL:
 * every comparison with it is then unknown, under NOT as well, the same way for every field.
 */
export function fieldSql(field: FieldRef, alias: string): { sql: string; params: unknown[] } {
  switch (field.kind) {
    case 'column':
      if (field.column === 'experiment') {
        return { sql: `(SELECT name FROM experiments WHERE id = ${alias}.experiment_id)`, params: [] };
      }
      // `parent` is the schema's parent_id: the field says what it is, the column that it is a key.
      return { sql: `${alias}.${field.column === 'parent' ? 'parent_id' : field.column}`, params: [] };
    case 'config':
      return { sql: `(SELECT value FROM params WHERE run_id = ${alias}.id AND key = ?)`, params: [field.key] };
    case 'tag':
      return { sql: `(SELECT value FROM tags WHERE run_id = ${alias}.id AND key = ?)`, params: [field.key] };
    case 'metric':
      // The aggregate is one of three fixed column names, chosen above, never user text.
      return { sql: `(SELECT ${field.aggregate} FROM metrics_latest WHERE run_id = ${alias}.id AND key = ?)`, params: [field.key] };
  }
}
