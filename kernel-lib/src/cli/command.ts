/** What a CLI command is, and the registry opening they share. */
import { openRegistry, type Registry } from '../registry';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the exit code; throws LabbookError for a user's mistake. */
  run(argv: string[]): number | Promise<number>;
}

/**
 * Opens the registry for one command and closes it afterwards. Read commands never create a
 * registry: a wrong --db is reported, not silently made.
 */
export async function withRegistry<T>(db: string | undefined, body: (registry: Registry) => T | Promise<T>, create = false): Promise<T> {
  const registry = openRegistry({ db, create });
  try {
    return await body(registry);
  } finally {
    registry.close();
  }
}

/** Times in JSON output are ISO 8601 strings. */
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
