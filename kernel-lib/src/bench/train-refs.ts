/** The training benchmark's references: PyTorch 1.13, PyTorch 2 and Keras 3 on TensorFlow, each run by its own Python in a child process. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type ReferenceName = 'torch113' | 'torch2' | 'keras';

/** The bench never installs a reference: where its Python is absent or lacks the package, the column says so. */
export const NOT_INSTALLED = 'not installed';

const SCRIPTS = join(__dirname, '..', '..', 'src', 'bench');

/** The venv the README tells how to make; used for PyTorch 2 and Keras when no variable names a Python. */
export const BENCH_VENV_PYTHON = join(__dirname, '..', '..', '.bench-venv', 'bin', 'python');

/** Each reference's Python: its variable, else Debian's python3 (torch 1.13) or the bench venv. */
export function referencePython(name: ReferenceName): string {
  const fromEnv = {
    torch113: process.env.LABBOOK_BENCH_TORCH113_PYTHON,
    torch2: process.env.LABBOOK_BENCH_TORCH2_PYTHON,
    keras: process.env.LABBOOK_BENCH_KERAS_PYTHON,
  }[name];
  if (fromEnv) return fromEnv;
  return name === 'torch113' ? '/usr/bin/python3' : BENCH_VENV_PYTHON;
}

/** What one reference child printed, or why it printed nothing usable. */
export type ReferenceRun =
  | { ok: true; versions: { [pkg: string]: string }; threads: number; figures: { [model: string]: unknown } }
  | { ok: false; reason: string };

/**
 * Runs one reference at `threads` over `models` (keras_train.py takes `model@on`/`model@off` to
 * fix a jit mode). A missing Python or package is NOT_INSTALLED; any other failure its first
 * stderr line, so a broken install shows as an error in the figures rather than ending the bench.
 */
export function runReference(name: ReferenceName, seconds: number, threads: number, models: string[]): ReferenceRun {
  const python = referencePython(name);
  if (python.includes('/') && !existsSync(python)) return { ok: false, reason: NOT_INSTALLED };
  const script = join(SCRIPTS, name === 'keras' ? 'keras_train.py' : 'torch_train.py');
  const child = spawnSync(python, [script, String(seconds), `--threads=${threads}`, ...models], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 600_000,
    // One process's threads are the ones asked for: OpenMP/MKL pools must not add their own.
    env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads), TF_CPP_MIN_LOG_LEVEL: '3' },
  });
  if (child.error) return { ok: false, reason: (child.error as NodeJS.ErrnoException).code === 'ENOENT' ? NOT_INSTALLED : child.error.message };
  const lastLine = child.stdout.trim().split('\n').pop() ?? '';
  let parsed: { missing?: string; version?: string; versions?: { [pkg: string]: string }; threads?: number; figures?: { [model: string]: unknown } };
  try {
    parsed = JSON.parse(lastLine) as typeof parsed;
  } catch {
    const why = child.stderr.trim().split('\n').pop() || `exit ${child.status ?? child.signal}`;
    return { ok: false, reason: `error: ${why.slice(0, 300)}` };
  }
  if (parsed.missing !== undefined) return { ok: false, reason: NOT_INSTALLED };
  const versions = parsed.versions ?? { torch: parsed.version ?? 'unknown' };
  return { ok: true, versions, threads: parsed.threads ?? threads, figures: parsed.figures ?? {} };
}
