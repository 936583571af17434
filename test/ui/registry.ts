/**
 * The registry the API tests read: runs written through the library (as a notebook writes them),
 * a real sweep and a registered model made by the CLI. Built once per file, in a temp folder.
 */
import { join } from 'node:path';
import { openRegistry } from '../../kernel-lib/src/registry';
import { CLI, ROOT, runNode, tempDir } from '../helpers';

export interface ApiRegistry {
  path: string;
  /** ids by role */
  plain: number[];
  evil: number;
  failed: number;
  long: number;
  sweep: number;
  model: number;
}

export const EVIL_NAME = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

async function cli(args: string[], db: string): Promise<string> {
  const result = await runNode([CLI, ...args, '--db', db], { cwd: ROOT });
  if (result.code !== 0) throw new Error(`labbook ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

export async function buildApiRegistry(): Promise<ApiRegistry> {
  const path = join(tempDir('labbook-ui-api-'), 'labbook.db');
  const registry = openRegistry({ db: path, create: true });
  const plain = [0.1, 0.01, 0.001].map((lr, i) => {
    const run = registry.startRun({ experiment: 'mlp', config: { lr, optimizer: i === 2 ? 'sgd' : 'adam', model: { units: 32 } }, seed: i + 1, name: `mlp-${i}`, tags: { team: i ? 'b' : 'a' } });
    for (let step = 0; step < 20; step++) run.log({ loss: (1 + i) / (step + 1), acc: 0.5 + 0.02 * step }, step);
    run.logDataset({ name: 'train', sha256: 'ab'.repeat(32), rows: 100 + i, columns: 4, source: 'iris' });
    run.saveCheckpoint(new Uint8Array([i, 1, 2, 3]), { step: 19 });
    run.end();
    return run.id;
  });
  const evil = registry.startRun({ experiment: 'mlp', name: EVIL_NAME, config: { lr: 0.5, note: '<b>x</b>' }, seed: 9, tags: { '<i>k</i>': '<a href="javascript:alert(1)">x</a>' } });
  evil.log({ loss: 2, acc: 0.1 }, 0);
  evil.logArtifact('notes.html', '<script>alert(1)</script>', { mediaType: 'text/html' });
  evil.logArtifact('fig', { data: [{ x: [1, 2], y: [3, 4], type: 'scatter' }], layout: {} });
  evil.end();
  const failed = registry.startRun({ experiment: 'mlp', name: 'diverged', config: { lr: 10, optimizer: 'adam', model: { units: 32 } }, seed: 4 });
  failed.log({ loss: 1e9 }, 0);
  failed.fail(new Error('Loss became NaN at step 1'));
  // 5,000 points: thinning keeps the spike at step 1234 and both ends; `flat` has ties in every bucket and NaNs.
  const long = registry.startRun({ experiment: 'long', config: { lr: 0.1 }, seed: 5 });
  for (let step = 0; step < 5000; step++) long.log({ loss: step === 1234 ? 100 : 1 / (step + 1), flat: step % 997 === 5 ? NaN : Math.floor(step / 300) }, step);
  // Every 7th step: not 0, 1, 2, ..., so the SQLite store thins it in SQL rather than from its values alone.
  for (let step = 0; step < 5000; step += 7) long.log({ sparse: step % 700 === 7 ? NaN : Math.sin(step / 50) }, step);
  long.end();
  registry.close();

  const sweepOut = await cli(['sweep', 'run', 'experiments/sweeps/cars-regression.ts', '--trials', '3', '--json'], path);
  const sweep = (JSON.parse(sweepOut) as { id: number }).id;
  const run = await cli(['run', 'penguins-mlp', '--set', 'epochs=2', '--json', '--quiet'], path);
  const model = (JSON.parse(run) as { id: number }).id;
  await cli(['models', 'register', 'penguins', String(model)], path);
  await cli(['models', 'alias', 'penguins', 'prod', '1'], path);
  return { path, plain, evil: evil.id, failed: failed.id, long: long.id, sweep, model };
}
