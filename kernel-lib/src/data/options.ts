/** Options shared by the CSV and JSON loaders, checked once at the public boundary. */
import { invalidArgument } from '../errors';
import { DTYPES, type Dtype } from './frame';

export interface LoadOptions {
  /** Declared dtypes by column name; other columns are inferred. */
  dtypes?: Record<string, Dtype>;
  /** Keep only these columns, in this order (each must exist). Others are neither typed nor kept. */
  columns?: string[];
  /** Columns that must be present (CSV: in the header; JSON: in every record). */
  required?: string[];
  /** How many non-missing cells decide an undeclared CSV column's type (default 1000). */
  inferRows?: number;
}

export interface NormalizedLoadOptions {
  dtypes: Map<string, Dtype>;
  columns?: string[];
  /** Columns the caller listed in `required`. */
  required: string[];
  /** Every column named anywhere (`required`, `columns`, `dtypes`): each must exist in the file. */
  named: string[];
  inferRows: number;
}

export function normalizeLoadOptions(options: LoadOptions | undefined): NormalizedLoadOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
  const dtypes = new Map<string, Dtype>();
  if (options.dtypes !== undefined) {
    if (options.dtypes === null || typeof options.dtypes !== 'object') throw invalidArgument('dtypes', 'an object of column name to dtype', options.dtypes);
    for (const [name, dtype] of Object.entries(options.dtypes)) {
      if (!DTYPES.includes(dtype)) throw invalidArgument(`dtypes.${name}`, `one of ${DTYPES.map((d) => `'${d}'`).join(', ')}`, dtype);
      dtypes.set(name, dtype);
    }
  }
  const columns = options.columns === undefined ? undefined : nameList('columns', options.columns);
  if (columns && new Set(columns).size !== columns.length) throw invalidArgument('columns', 'distinct column names', columns);
  const required = options.required === undefined ? [] : nameList('required', options.required);
  const inferRows = options.inferRows ?? 1000;
  if (!Number.isSafeInteger(inferRows) || inferRows < 1) throw invalidArgument('inferRows', 'a positive integer', inferRows);
  // Columns asked for by name must exist, whether listed in `columns`, `required` or `dtypes`.
  const named = [...new Set([...required, ...(columns ?? []), ...dtypes.keys()])];
  return { dtypes, ...(columns ? { columns } : {}), required, named, inferRows };
}

function nameList(argument: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
    throw invalidArgument(argument, 'an array of column names', value);
  }
  return value as string[];
}

/** A near miss in `available` for a missing column name (case and spacing ignored), for the fix. */
export function didYouMean(name: string, available: readonly string[]): string {
  const simple = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');
  const match = available.find((a) => simple(a) === simple(name));
  return match === undefined ? '' : ` Did you mean \`${match}\`?`;
}
