/** Temp folders the runner makes (connection files, throwaway registries): removed when done, or at exit at the latest. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<string>();
let exitHookInstalled = false;

/**
 * A fresh folder under os.tmpdir(). The caller removes it with removeScratch() (in a finally);
 * whatever is still here when the process exits (process.exit from a SIGINT/SIGTERM handler, an
 * uncaught exception) is removed then, since no finally runs on those paths.
 */
export function makeScratch(prefix: string): string {
  if (!exitHookInstalled) {
    process.on('exit', removeAllScratch);
    exitHookInstalled = true;
  }
  const dir = mkdtempSync(join(tmpdir(), prefix));
  live.add(dir);
  return dir;
}

export function removeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  live.delete(dir);
}

function removeAllScratch(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}
