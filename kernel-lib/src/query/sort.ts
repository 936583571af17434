/** Sort specs (`-metrics.acc,config.lr`) -> a parameterized ORDER BY over a run alias. */
import { invalidArgument } from '../errors';
import type { CompiledSql, Dialect } from './compile';
import { sortError } from './error';
import { type FieldRef, fieldSql, resolveField, type RunColumn } from './fields';
import { readPath } from './lexer';
import { isText, numberPlaceholders, pgField } from './postgres';

export interface SortKey {
  field: FieldRef;
  descending: boolean;
  /** 1-based column of the field in the spec, for errors found later (an unknown key). */
  pos: number;
}

/** The spec a blank or missing one stands for. */
export const sortSpec = (spec: string | undefined): string => (spec === undefined || spec.trim() === '' ? DEFAULT_SORT : spec);

/** Newest first: what a person looking at their runs wants unless they say otherwise. */
const DEFAULT_SORT = '-started_at';

// Columns the schema declares NOT NULL: their order terms skip NULLS LAST so an index can serve them.
const NOT_NULL: ReadonlySet<RunColumn> = new Set(['id', 'status', 'seed', 'started_at', 'config_hash']);

/** More keys than anyone sorts by; SQLite refuses an ORDER BY of 2,000 terms with an error of its own. */
export const MAX_SORT_KEYS = 64;

/** `field` ascending, `-field` descending (`+field` also ascending), comma-separated. */
export function parseSort(spec: string): SortKey[] {
  const keys: SortKey[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < spec.length && /\s/.test(spec[i])) i++;
  };
  for (;;) {
    skipSpace();
    let descending = false;
    if (spec[i] === '-' || spec[i] === '+') {
      descending = spec[i] === '-';
      i++;
    }
    const start = i;
    if (keys.length === MAX_SORT_KEYS) {
      throw sortError(i + 1, 'sort spec too long', `at most ${MAX_SORT_KEYS} fields`, 'more', 'Sort by fewer fields; ties are broken by run id anyway.');
    }
    if (i >= spec.length || !/[A-Za-z_`]/.test(spec[i])) {
      const found = i < spec.length ? `\`${spec[i]}\`` : 'the end of the sort spec';
      throw sortError(i + 1, 'missing field', 'a field such as started_at, -metrics.acc or config.lr', found);
    }
    const { segments, end } = readPath(spec, i, sortError);
    i = end;
    keys.push({ field: resolveField(segments, spec.slice(start, end), start + 1, sortError), descending, pos: start + 1 });
    skipSpace();
    if (i >= spec.length) return keys;
    if (spec[i] !== ',') {
      throw sortError(i + 1, `unexpected \`${spec[i]}\``, '`,` before the next field, or the end of the sort spec', `\`${spec[i]}\``);
    }
    i++;
  }
}

/**
 * The ORDER BY terms (without the keywords) for `spec`, or the default when it is blank. NULLs
 * (runs without the key) always sort last; ties fall back to the run id, in the direction of the
 * last key, so pages never overlap or skip runs.
 */
export function compileSort(spec: string | undefined, alias = 'r', dialect: Dialect = 'sqlite'): CompiledSql {
  return compileSortKeys(parseSort(sortSpec(spec)), alias, dialect);
}

/** compileSort for keys already parsed (and checked against a registry by searchRuns). */
export function compileSortKeys(keys: readonly SortKey[], alias = 'r', dialect: Dialect = 'sqlite', firstParam = 1): CompiledSql {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias)) throw invalidArgument('alias', 'an SQL identifier such as r', alias);
  if (dialect === 'postgres') return postgresSort(keys, alias, firstParam);
  if (dialect !== 'sqlite') throw invalidArgument('dialect', "'sqlite' or 'postgres'", dialect);
  const terms: string[] = [];
  const params: unknown[] = [];
  for (const { field, descending } of keys) {
    const { sql, params: keyParams } = fieldSql(field, alias);
    const nullable = !(field.kind === 'column' && NOT_NULL.has(field.column));
    terms.push(`${sql} ${descending ? 'DESC' : 'ASC'}${nullable ? ' NULLS LAST' : ''}`);
    params.push(...keyParams);
    if (field.kind === 'column' && field.column === 'id') return { sql: terms.join(', '), params };
  }
  terms.push(`${alias}.id ${keys[keys.length - 1].descending ? 'DESC' : 'ASC'}`);
  return { sql: terms.join(', '), params };
}

/**
 * The same order on the team store: a config key sorts as SQLite's untyped column does, numbers
 * before text ascending (text before numbers descending), missing values last either way; text
 * bytewise ("C"), as SQLite's BINARY collation.
 */
function postgresSort(keys: readonly SortKey[], alias: string, firstParam: number): CompiledSql {
  const terms: string[] = [];
  const params: unknown[] = [];
  for (const { field, descending } of keys) {
    const dir = descending ? 'DESC' : 'ASC';
    const nullable = !(field.kind === 'column' && NOT_NULL.has(field.column));
    const last = nullable ? ' NULLS LAST' : '';
    if (field.kind === 'config') {
      const part = (column: string) => `(SELECT ${column} FROM params WHERE run_id = ${alias}.id AND key = ?) ${dir} NULLS LAST`;
      const num = part('num');
      const text = part('text COLLATE "C"');
      terms.push(...(descending ? [text, num] : [num, text]));
      params.push(field.key, field.key);
    } else {
      terms.push(`${pgField(field, alias, params, isText(field))} ${dir}${last}`);
    }
    if (field.kind === 'column' && field.column === 'id') return { sql: numberPlaceholders(terms.join(', '), firstParam), params };
  }
  terms.push(`${alias}.id ${keys[keys.length - 1].descending ? 'DESC' : 'ASC'}`);
  return { sql: numberPlaceholders(terms.join(', '), firstParam), params };
}
