// loadModel('name@alias' | 'name/N' | 'name') in a fresh process predicts as loadModel(runId) does, and refuses a package changed since registration.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, models, openRegistry, type Registry } from '../../kernel-lib/src';
import { ROOT, runNode, tempDb } from '../helpers';
import { ROWS, tinyRun } from './fixture';

const DIST = JSON.stringify(join(ROOT, 'kernel-lib', 'dist'));

/** Loads `target` with the built library in a new node process and prints its predictions (or the error) as JSON. */
async function predictInChild(db: string, target: string | number): Promise<unknown> {
  const script = `require(${DIST}).loadModel(${JSON.stringify(target)}, { db: ${JSON.stringify(db)} }).then(
    (m) => { process.stdout.write(JSON.stringify(m.predict(${JSON.stringify(ROWS)}))); m.dispose(); },
    (e) => { process.stdout.write(JSON.stringify({ error: e.message, code: e.code })); })`;
  const result = await runNode(['-e', script]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe('loading a registered model version', () => {
  let db: string;
  let registry: Registry;
  let runs: number[];

  beforeAll(async () => {
    db = tempDb();
    registry = openRegistry({ db });
    runs = [await tinyRun(registry, 1), await tinyRun(registry, 2)];
    models.registerModel(registry, 'tiny', runs[0]);
    models.registerModel(registry, 'tiny', runs[1]);
    models.registerModel(registry, 'tiny', runs[1], { checkpoint: 'best' });
    models.setAlias(registry, 'tiny', 'champion', 1);
  });
  afterAll(() => registry?.close());

  it("loadModel('tiny@champion') in a fresh process predicts what loadModel(runId) predicts, and the alias decides which run", async () => {
    const byRun = await predictInChild(db, runs[0]);
    expect(byRun).toHaveLength(ROWS.length);
    expect(await predictInChild(db, 'tiny@champion')).toEqual(byRun);
    expect(await predictInChild(db, 'tiny/1')).toEqual(byRun);
    const second = await predictInChild(db, runs[1]);
    expect(second).not.toEqual(byRun);
    expect(await predictInChild(db, 'tiny/2')).toEqual(second);
    models.setAlias(registry, 'tiny', 'champion', 2);
    expect(await predictInChild(db, 'tiny@champion')).toEqual(second);
  }, 60_000);

  it("a version registered with the best checkpoint loads the best weights, and 'tiny' alone is the latest version", async () => {
    const ready = await loadModel(runs[1], { registry, checkpoint: 'best' });
    const best = ready.predict(ROWS);
    ready.dispose();
    const latest = await loadModel('tiny', { registry });
    expect(latest.predict(ROWS)).toEqual(best);
    expect(latest.runId).toBe(runs[1]);
    latest.dispose();
    await expect(loadModel('tiny/3', { registry, checkpoint: 'final' })).rejects.toThrow(/^Invalid value for `checkpoint`: expected nothing with a model version \("tiny\/3" names its checkpoint\)/);
    await expect(loadModel('tiny@prod', { registry })).rejects.toThrow(/^Model "tiny" has no alias "prod"/);
  });

  it("refuses a version whose run's model package was changed since registration, and one whose stored package was overwritten", async () => {
    const version = models.registerModel(registry, 'swapped', runs[0]);
    // A new "model" artifact on the run, as a re-log would store: the same package, its final weights now the best ones.
    const pkg = JSON.parse(Buffer.from(registry.getArtifact(runs[0], 'model').bytes).toString('utf8'));
    pkg.weights.final = pkg.weights.best;
    const stored = registry.objects.put(Buffer.from(JSON.stringify(pkg)));
    registry.db.prepare("UPDATE artifacts SET sha256 = ?, bytes = ? WHERE run_id = ? AND name = 'model'").run(stored.sha256, stored.bytes, runs[0]);
    const refused = (await predictInChild(db, 'swapped/1')) as { error: string; code: string };
    expect(refused.code).toBe('HASH_MISMATCH');
    expect(refused.error).toBe(
      `Model version swapped/1 no longer matches run ${runs[0]}'s model package: expected the "model" artifact it was registered with (sha256 ${version.artifactSha256.slice(0, 12)}), received sha256 ${stored.sha256.slice(0, 12)} (the run's package changed since). Register the run again to make its current package a new version (labbook models register swapped ${runs[0]}), or load another version.`,
    );
    // Registering again makes the current package a version that loads (and serves the best weights now).
    models.registerModel(registry, 'swapped', runs[0]);
    const best = await loadModel(runs[0], { registry, checkpoint: 'best' });
    expect(await predictInChild(db, 'swapped/2')).toEqual(best.predict(ROWS));
    best.dispose();

    // Bytes changed on disk under the recorded hash: the registry's own verification refuses them.
    writeFileSync(join(dirname(db), 'objects', stored.sha256), '{"kind":"labbook-model"}');
    const damaged = (await predictInChild(db, 'swapped/2')) as { error: string; code: string };
    expect(damaged.code).toBe('HASH_MISMATCH');
  }, 60_000);
});
