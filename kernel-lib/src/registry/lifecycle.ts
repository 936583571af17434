/** Process-level lifecycle: liveness of a run's process and ending open runs on signals and exit. */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** What the process hooks need from an open run. */
export interface ActiveRun {
  /** Ends the run from a process hook; must be synchronous (an exiting process runs no more I/O). */
  endFromProcess(status: 'finished' | 'failed' | 'killed', error: string | null): void;
}

const active = new Set<ActiveRun>();
let hooksInstalled = false;

export const HOST = hostname();

export function trackRun(run: ActiveRun): void {
  active.add(run);
  installHooks();
}

export function untrackRun(run: ActiveRun): void {
  active.delete(run);
}

function endAll(status: 'finished' | 'failed' | 'killed', error: string | null): void {
  for (const run of [...active]) run.endFromProcess(status, error);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // The monitor sees an uncaught exception (or unhandled rejection) before the process dies,
  // without changing whether it dies.
  process.on('uncaughtExceptionMonitor', (error) => {
    endAll('failed', error instanceof Error ? (error.stack ?? error.message) : String(error));
  });
  // A script that never called run.end() and exits normally finished its work, as in MLflow.
  process.on('exit', (code) => {
    endAll(code === 0 ? 'finished' : 'failed', code === 0 ? null : `The process exited with code ${code} before the run ended.`);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      endAll('killed', `Received ${signal}.`);
      // If labbook is the only listener, die as the signal would have made us die; a host that
      // handles the signal itself (a notebook kernel's interrupt) keeps its own behaviour.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/**
 * When the process started, in clock ticks since boot (Linux), so that a recycled pid is not
 * mistaken for the run's process. null where /proc is not available.
 */
export function processStartTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); starttime is field 22.
    return Number(fields[19]);
  } catch {
    return null;
  }
}

/** Whether the process that started a run on this host is still running. */
export function isProcessAlive(pid: number, startTicks: number | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return true; // no /proc: the signal test is all we have
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return false; // dead, not yet reaped
  return startTicks === null || Number(fields[19]) === startTicks;
}
