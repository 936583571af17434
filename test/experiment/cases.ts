// Small settings for every experiment, so that tests and CI run each in seconds.
import { runCli } from '../helpers';

export const SMALL: { [experiment: string]: string[] } = {
  'mnist-mlp': ['samples=160', 'epochs=1'],
  'mnist-cnn': ['samples=40', 'epochs=1'],
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
