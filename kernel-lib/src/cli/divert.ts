/** Sends everything written to stdout during a body to stderr: for commands whose stdout is one JSON document. */

/**
 * `--json` promises that stdout is the JSON document and nothing else. An experiment's own
 * console.log, a library's banner, or show()'s output would corrupt it, so while `body` runs
 * process.stdout.write forwards to stderr (where a reader still sees it, as diagnostics); the
 * original write is restored afterwards, success or failure.
 */
export async function divertStdout<T>(body: () => Promise<T>): Promise<T> {
  const stdout = process.stdout;
  const original = Object.prototype.hasOwnProperty.call(stdout, 'write') ? stdout.write : undefined;
  stdout.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) =>
    (process.stderr.write as (...args: unknown[]) => boolean)(chunk, encoding, callback)) as typeof stdout.write;
  try {
    return await body();
  } finally {
    if (original) stdout.write = original;
    else delete (stdout as { write?: unknown }).write;
  }
}
