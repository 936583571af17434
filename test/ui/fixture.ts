/**
 * The registry the browser tests read, made as a user makes one: real training runs and a real
 * sweep through the CLI, a registered model with an alias, and through the library a failed run and
 * a run whose name, config and tag are HTML (the injection case). Built once per test file, in a
 * temp folder removed when the file ends.
 */
import { join } from 'node:path';
import { openRegistry } from '../../kernel-lib/src/registry';
import { CLI, ROOT, runNode, tempDir } from '../helpers';

/** A run name that runs script if any view puts it into the page as HTML. */
export const EVIL_NAME = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
export const EVIL_CONFIG_NOTE = '<b>bold?</b><img src=x onerror="window.__pwned=3">';
export const EVIL_TAG_KEY = '<i>k</i>';
export const EVIL_TAG_VALUE = '<a href="javascript:window.__pwned=4">x</a>';
export const FAILED_ERROR = 'Loss became NaN at step 5: expected finite values; lower learningRate';

export interface Fixture {
  db: string;
  /** Two penguins-mlp runs (learningRate 0.01 and 0.03), then one cars-regression run; undefined in a light fixture. */
  penguins: number[];
  cars?: number;
  /** The sweep's parent run and its trials' runs (4). */
  sweep?: number;
  trials: number[];
  /** Model `penguins`, version 1 from penguins[0], alias `champion`. */
  model?: { name: string; alias: string; version: number; run: number };
  /** Library runs. */
  failed: number;
  evil: number;
  /** A finished run with a long history (200 steps of loss and acc). */
  long: number;
}

async function cli(db: string, args: string[]): Promise<string> {
  const result = await runNode([CLI, ...args, '--db', db], { cwd: ROOT, env: { LABBOOK_DB: undefined } });
  if (result.code !== 0) throw new Error(`labbook ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

const idOf = (json: string) => (JSON.parse(json) as { id: number }).id;

/**
 * The full fixture (~15 s: three short trainings and a 4-trial sweep, side by side), or with
 * `light` only the library runs (well under a second), for tests about the server rather than the data.
 */
export async function buildFixture(options: { light?: boolean } = {}): Promise<Fixture> {
  const db = join(tempDir('labbook-ui-e2e-'), 'labbook.db');
  const fixture: Fixture = { db, penguins: [], trials: [], failed: 0, evil: 0, long: 0 };
  if (!options.light) {
    // Concurrent writers to one registry are supported (WAL, busy timeout): the four processes run side by side.
    const [a, b, cars, sweep] = await Promise.all([
      cli(db, ['run', 'penguins-mlp', '--set', 'epochs=3', '--set', 'learningRate=0.01', '--tag', 'team=a', '--quiet', '--json']),
      cli(db, ['run', 'penguins-mlp', '--set', 'epochs=3', '--set', 'learningRate=0.03', '--tag', 'team=b', '--quiet', '--json']),
      cli(db, ['run', 'cars-regression', '--set', 'epochs=3', '--quiet', '--json']),
      cli(db, ['sweep', 'run', 'experiments/sweeps/cars-regression.ts', '--trials', '4', '--json']),
    ]);
    fixture.penguins = [idOf(a), idOf(b)];
    fixture.cars = idOf(cars);
    fixture.sweep = idOf(sweep);
    await cli(db, ['models', 'register', 'penguins', String(fixture.penguins[0])]);
    await cli(db, ['models', 'alias', 'penguins', 'champion', '1']);
    fixture.model = { name: 'penguins', alias: 'champion', version: 1, run: fixture.penguins[0] };
  }
  const registry = openRegistry({ db, create: true });
  try {
    if (fixture.sweep !== undefined) {
      fixture.trials = registry.db.prepare('SELECT id FROM runs WHERE parent_id = ? ORDER BY id').pluck().all(fixture.sweep) as number[];
    }
    const failed = registry.startRun({ experiment: 'cars-regression', name: 'diverged', config: { learningRate: 10, epochs: 5 }, tags: { team: 'b' } });
    for (let step = 0; step < 5; step++) failed.log({ loss: 10 ** step, val_loss: 10 ** (step + 1) }, step);
    failed.fail(new Error(FAILED_ERROR));
    fixture.failed = failed.id;

    const evil = registry.startRun({ experiment: 'penguins-mlp', name: EVIL_NAME, config: { learningRate: 0.02, epochs: 50, note: EVIL_CONFIG_NOTE }, tags: { [EVIL_TAG_KEY]: EVIL_TAG_VALUE } });
    for (let step = 0; step < 50; step++) evil.log({ loss: 1 / (step + 1), accuracy: 1 - 1 / (step + 2), val_loss: 1.2 / (step + 1) }, step);
    evil.logArtifact('notes.html', '<script>window.__pwned=5</script>', { mediaType: 'text/html' });
    evil.end();
    fixture.evil = evil.id;

    const long = registry.startRun({ experiment: 'penguins-mlp', name: 'long-run', config: { learningRate: 0.005, epochs: 200 }, tags: { team: 'a' } });
    for (let step = 0; step < 200; step++) long.log({ loss: 2 / (step + 2) + 0.05 * Math.sin(step / 5), accuracy: 1 - 1 / (step + 2) }, step);
    long.end();
    fixture.long = long.id;
  } finally {
    registry.close();
  }
  return fixture;
}

/** Adds a finished run to the registry from this process (the live-update case); returns its id. */
export function addRun(db: string, name: string): number {
  const registry = openRegistry({ db });
  try {
    const run = registry.startRun({ experiment: 'penguins-mlp', name, config: { learningRate: 0.04, epochs: 3 } });
    for (let step = 0; step < 3; step++) run.log({ loss: 0.5 / (step + 1) }, step);
    run.end();
    return run.id;
  } finally {
    registry.close();
  }
}
