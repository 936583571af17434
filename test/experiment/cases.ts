// Small settings for every experiment, so that tests and CI run each in seconds.
import { describe, expect, it } from 'vitest';
import { runCli, tempDb } from '../helpers';

export const SMALL: { [experiment: string]: string[] } = {
  'mnist-mlp': ['samples=160', 'epochs=1'],
  // Narrow filters: the pure-JS cpu backend's convolution gradients took 20 s a run at the default [32, 64].
  'mnist-cnn': ['samples=40', 'epochs=1', 'filters=[4,8]', 'dense=16'],
  'sequence-lstm': ['samples=48', 'epochs=1'],
  'spam-transformer': ['samples=48', 'epochs=1', 'maxLen=32'],
  'penguins-mlp': ['samples=40', 'epochs=2'],
  'cars-regression': ['samples=40', 'epochs=2'],
};

export interface RunSummary {
  id: number;
  status: string;
  seed: number;
  configHash: string;
  codeHash: string;
  checkpoint: { sha256: string } | null;
  metrics: { [key: string]: number };
}

/** `labbook run` in its own process, small, on one backend. */
export async function runSmall(experiment: string, options: { db: string; seed: number; backend: string }): Promise<RunSummary> {
  const sets = SMALL[experiment].flatMap((s) => ['--set', s]);
  const result = await runCli(['run', experiment, '--json', '--quiet', '--seed', String(options.seed), '--backend', options.backend, '--db', options.db, ...sets]);
  if (result.code !== 0) throw new Error(`labbook run ${experiment} failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as RunSummary;
}

/**
 * Every experiment, small, twice in separate processes on one backend: the same seed must give
 * the same checkpoint bytes, another seed different ones. One file per backend lets vitest run
 * the backends in parallel.
 */
export function reproducibilitySuite(backend: 'cpu' | 'wasm' | 'native'): void {
  describe.each(Object.keys(SMALL))(`%s on ${backend}`, (experiment) => {
    it('reproduces bit for bit across processes, and another seed changes the weights', async () => {
      const db = tempDb();
      const [a, b] = await Promise.all([runSmall(experiment, { db, seed: 7, backend }), runSmall(experiment, { db: tempDb(), seed: 7, backend })]);
      const other = await runSmall(experiment, { db, seed: 8, backend });
      for (const run of [a, b, other]) expect(run.status).toBe('finished');
      expect(a.checkpoint?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(b.checkpoint?.sha256).toBe(a.checkpoint?.sha256);
      expect(b.configHash).toBe(a.configHash);
      expect(b.codeHash).toBe(a.codeHash);
      expect(b.metrics).toEqual(a.metrics);
      expect(other.checkpoint?.sha256).not.toBe(a.checkpoint?.sha256);
    }, 300_000);
  });
}
