/** The CLI start-up benchmark: median wall time of `node -e 0`, `labbook --help` and `labbook runs` in fresh processes. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRegistry } from '../registry';

export interface CliFigures {
  runs: number;
  nodeMs: number;
  helpMs: number;
  runsMs: number;
  /** labbook runs / node -e 0; the target is at most 2. */
  runsToNode: number;
}

const CLI = join(__dirname, '..', 'cli', 'main.js');

export function benchCli(options: { repeats?: number } = {}): CliFigures {
  const repeats = Math.max(1, options.repeats ?? 9);
  const dir = mkdtempSync(join(tmpdir(), 'labbook-bench-'));
  try {
    const db = join(dir, 'labbook.db');
    smallRegistry(db);
    // Measured in alternation so a busy moment on the machine slows all three alike.
    const times: { [name: string]: number[] } = { node: [], help: [], runs: [] };
    for (let i = 0; i < repeats; i++) {
      times.node.push(wall(['-e', '0']));
      times.help.push(wall([CLI, '--help']));
      times.runs.push(wall([CLI, 'runs', '--db', db]));
    }
    const [nodeMs, helpMs, runsMs] = [times.node, times.help, times.runs].map(median);
    return { runs: repeats, nodeMs, helpMs, runsMs, runsToNode: Number((runsMs / nodeMs).toFixed(2)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 20 finished runs with a config and a few metrics: what a first project's registry holds. */
function smallRegistry(db: string): void {
  const registry = openRegistry({ db, create: true });
  try {
    for (let i = 0; i < 20; i++) {
      const run = registry.startRun({ experiment: 'bench', config: { lr: 0.001 * (i + 1), units: 64 }, seed: i });
      for (let step = 0; step < 10; step++) run.log({ loss: 1 / (step + 1), acc: step / 10 }, step);
      run.end();
    }
  } finally {
    registry.close();
  }
}

function wall(args: string[]): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const value = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Number(value.toFixed(1));
}
