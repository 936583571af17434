// `npm run bench -- train` end to end: labbook in its own child processes, references through stand-in Pythons.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainBench } from '../../kernel-lib/src/bench/train';
import { ROOT, runNode } from '../helpers';

const BENCH = join(ROOT, 'kernel-lib', 'dist', 'bench', 'main.js');

// Stand-ins for a reference's Python: they get (script, seconds, --threads=N, models...) and print
// what torch_train.py / keras_train.py print, so the bench's bookkeeping is tested without torch or TF.
const FAKE_TORCH = `#!/bin/sh
case "$*" in *--threads=2*) echo "Segfault in libgomp" >&2; exit 1;; esac
echo '{"version": "2.99.0", "threads": 1, "figures": {"mlp": 1000}}'
`;
const FAKE_KERAS = `#!/bin/sh
echo '{"versions": {"tensorflow": "2.99", "keras": "3.99"}, "threads": 1, "figures": {"mlp": {"off": 2500, "on": 3000}}}'
`;

describe('the training benchmark', () => {
  let dir: string;
  let figures: TrainBench;
  let stderr: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'labbook-train-bench-'));
    for (const [name, text] of [['torch2', FAKE_TORCH], ['keras', FAKE_KERAS]]) {
      writeFileSync(join(dir, name), text);
      chmodSync(join(dir, name), 0o755);
    }
    const result = await runNode([BENCH, 'train', '--models=mlp', '--seconds=0.2', '--repeats=1'], {
      env: {
        LABBOOK_BENCH_TORCH113_PYTHON: join(dir, 'no-such-python'),
        LABBOOK_BENCH_TORCH2_PYTHON: join(dir, 'torch2'),
        LABBOOK_BENCH_KERAS_PYTHON: join(dir, 'keras'),
        LABBOOK_NATIVE_THREADS: undefined,
      },
    });
    stderr = result.stderr;
    expect(result.code, result.stderr).toBe(0);
    figures = (JSON.parse(result.stdout) as { train: TrainBench }).train;
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures labbook at 1 thread and at its default threads, both loops, in children', () => {
    const labbook = figures.models.mlp.labbook;
    for (const column of [labbook.threads1, labbook.threadsDefault, labbook.threads2]) {
      expect(column.plain, stderr).toBeGreaterThan(0);
      expect(column.train).toBeGreaterThan(0);
    }
    expect(typeof labbook.backend).toBe('string');
    // The native addon reports its thread count: the 1-thread child must have run on one.
    if (labbook.backend === 'native' && labbook.threads1Reported !== null) expect(labbook.threads1Reported).toBe(1);
    expect(Object.keys(figures.models)).toEqual(['mlp']);
  });

  it('says "not installed" for a reference whose Python is absent, and carries on', () => {
    expect(figures.models.mlp.torch113).toBe('not installed');
    expect(figures.machine.order).not.toContain('torch113/t1');
  });

  it('reports a failing run as its error line and the other thread count as measured', () => {
    expect(figures.models.mlp.torch2).toEqual({ t1: 1000, t2: 'error: Segfault in libgomp', version: '2.99.0' });
  });

  it("takes Keras's faster jit mode, names it, and divides labbook's default-threads plain loop by the best reference", () => {
    const { keras, best, ratio, labbook } = figures.models.mlp;
    expect(keras).toEqual({ t1: 3000, t2: 3000, versions: { tensorflow: '2.99', keras: '3.99' }, jit: { t1: 'on', t2: 'on' } });
    expect(best).toEqual({ value: 3000, who: 'keras t1 (jit on)' });
    expect(ratio).toBeCloseTo(labbook.threadsDefault.plain / 3000, 2);
  });

  it('records the machine: cpu, cores, load before and after, the alternation order', () => {
    const { machine } = figures;
    expect(machine.cores).toBeGreaterThan(0);
    expect(machine.loadBefore).toHaveLength(3);
    expect(machine.loadAfter).toHaveLength(3);
    expect(machine.order).toEqual(['labbook/t1', 'labbook/default', 'labbook/t2', 'torch2/t1', 'torch2/t2', 'keras/t1', 'keras/t2']);
  });
});
