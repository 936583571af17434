/** What a CLI command is, and the registry opening they share. */
import { openRegistry, type Registry } from '../registry';
import { explainDatabaseError } from '../registry/file';
import { resolveDbPath } from '../registry/paths';
import { safeJson, visible } from './escape';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** More lines for `--help` after the usage (e.g. exit codes); kept out of `usage`, which errors quote. */
  help?: string;
  /** Returns the exit code; throws LabbookError for a user's mistake. */
  run(argv: string[]): number | Promise<number>;
}

/**
 * Opens the registry for one command and closes it afterwards. Read commands never create a
 * registry: a wrong --db is reported, not silently made. A damaged or unreadable file, found at
 * open or by any later read or write, is one line naming it, not a stack trace.
 */
export async function withRegistry<T>(db: string | undefined, body: (registry: Registry) => T | Promise<T>, create = false): Promise<T> {
  let registry: Registry;
  try {
    registry = openRegistry({ db, create });
  } catch (error) {
    throw explainDatabaseError(error, resolveDbPath(db));
  }
  try {
    return await body(registry);
  } catch (error) {
    throw explainDatabaseError(error, registry.path);
  } finally {
    registry.close();
  }
}

/** Times in JSON output are ISO 8601 strings. */
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * Text for the terminal. Printers escape each value they show (cell(), visible()); this is the
 * backstop: any other control character is shown escaped, only line breaks and tabs act.
 */
export function print(text: string): void {
  const safe = visible(text, '\n\t');
  process.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`);
}

/** Exact JSON, with the characters a terminal would act on written as \u escapes. */
export function printJson(value: unknown): void {
  process.stdout.write(`${safeJson(value)}\n`);
}
