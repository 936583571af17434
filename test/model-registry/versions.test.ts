// The model registry on a real SQLite registry: versions, aliases with their history, references, lineage, and one clear error per mistake.
import { hostname, userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { models, openRegistry, type Registry } from '../../kernel-lib/src';
import { tempDb } from '../helpers';
import { tinyRun } from './fixture';

describe('named models with versions and aliases', () => {
  let registry: Registry;
  let runs: number[];

  beforeAll(async () => {
    registry = openRegistry({ db: tempDb() });
    runs = [await tinyRun(registry, 1), await tinyRun(registry, 2), await tinyRun(registry, 3)];
  });
  afterAll(() => registry?.close());

  it('numbers versions 1, 2, ... per model, creating the model on first use, with the package hashes of registration', () => {
    const v1 = models.registerModel(registry, 'tiny', runs[0], { note: 'first' });
    const v2 = models.registerModel(registry, 'tiny', runs[1], { checkpoint: 'best' });
    const other = models.registerModel(registry, 'other.model-v_2', runs[0]);
    expect([v1.version, v2.version, other.version]).toEqual([1, 2, 1]);
    expect(v1).toMatchObject({ name: 'tiny', runId: runs[0], checkpoint: 'final', note: 'first', aliases: [] });
    const run = registry.getRun(runs[1]);
    expect(v2.artifactSha256).toBe(run.artifacts.find((a) => a.name === 'model')!.sha256);
    // the best checkpoint is step 1, the final step 2
    expect(run.checkpoints.map((c) => c.step)).toEqual([1, 2]);
    expect(v2.weightsSha256).toBe(run.checkpoints[0].sha256);
    expect(v1.weightsSha256).toBe(registry.getRun(runs[0]).checkpoints.at(-1)!.sha256);
    expect(models.listModels(registry).map((m) => [m.name, m.versions, m.latestVersion])).toEqual([['other.model-v_2', 1, 1], ['tiny', 2, 2]]);
    expect(models.getModel(registry, 'tiny').versions.map((v) => [v.version, v.runId])).toEqual([[1, runs[0]], [2, runs[1]]]);
  });

  it('sets, moves and deletes aliases, recording who, when, from and to', () => {
    const before = Date.now();
    expect(models.setAlias(registry, 'tiny', 'champion', 1)).toEqual({ name: 'tiny', alias: 'champion', version: 1, previous: null });
    expect(models.setAlias(registry, 'tiny', 'champion', 2).previous).toBe(1);
    expect(models.setAlias(registry, 'tiny', 'champion', 2).previous).toBe(2); // unchanged: not recorded
    models.setAlias(registry, 'tiny', 'challenger', 1);
    expect(models.deleteAlias(registry, 'tiny', 'challenger')).toBe(1);
    const after = Date.now();
    expect(models.getModel(registry, 'tiny').aliases).toEqual({ champion: 2 });
    expect(models.getModel(registry, 'tiny').versions.map((v) => v.aliases)).toEqual([[], ['champion']]);
    const history = models.aliasHistory(registry, 'tiny');
    expect(history.map((e) => [e.alias, e.fromVersion, e.toVersion])).toEqual([['champion', null, 1], ['champion', 1, 2], ['challenger', null, 1], ['challenger', 1, null]]);
    for (const e of history) {
      expect(e.who).toBe(`${userInfo().username}@${hostname()}`);
      expect(e.at).toBeGreaterThanOrEqual(before);
      expect(e.at).toBeLessThanOrEqual(after);
    }
    expect(models.aliasHistory(registry, 'tiny', 'champion')).toHaveLength(2);
  });

  it('resolves name@alias, name/version and name (the latest), with the lineage of the run', () => {
    expect(models.resolveModel(registry, 'tiny@champion').version).toBe(2);
    expect(models.resolveModel(registry, 'tiny/1').runId).toBe(runs[0]);
    models.registerModel(registry, 'tiny', runs[2]);
    const latest = models.resolveModel(registry, 'tiny');
    expect(latest.version).toBe(3);
    const run = registry.getRun(runs[2]);
    expect(latest.lineage).toMatchObject({
      runId: runs[2],
      experiment: 'tiny',
      config: { seed: 3, hidden: 4 },
      datasets: [{ name: 'train', sha256: 'a'.repeat(64), rows: 30, columns: 3, source: 'synthetic' }],
      codeHash: run.codeHash,
      metrics: { accuracy: 0.53 },
      checkpointSha256: latest.weightsSha256,
    });
    expect(latest.lineage.environment.node).toBe(process.version);
  });

  it('never reuses a deleted version number, and refuses to delete an aliased version', () => {
    expect(() => models.deleteModelVersion(registry, 'tiny', 2)).toThrow(/^Version 2 of model "tiny" has alias champion: expected a version no alias points at.*Move the alias \(labbook models alias tiny champion VERSION\) or delete it/);
    models.deleteModelVersion(registry, 'tiny', 3);
    expect(models.registerModel(registry, 'tiny', runs[2]).version).toBe(4);
    expect(() => models.resolveModel(registry, 'tiny/3')).toThrow('Model "tiny" has no version 3: expected one of 1, 2, 4, received 3. See them with `labbook models show tiny`.');
  });

  it('refuses to delete a registered run, naming the versions to delete first', () => {
    expect(() => registry.deleteRun(runs[0])).toThrow(
      `Run ${runs[0]} is registered as model versions other.model-v_2/1, tiny/1: expected a run no model version points at, since the version would lose its weights. Delete the model versions first (labbook models delete other.model-v_2/1; labbook models delete tiny/1).`,
    );
    expect(registry.getRun(runs[0]).status).toBe('finished');
    models.deleteModelVersion(registry, 'other.model-v_2', 1);
    models.deleteModelVersion(registry, 'tiny', 1);
    registry.deleteRun(runs[0]);
    expect(() => registry.getRun(runs[0])).toThrow(/No run/i);
  });

  it('says each mistake in one clear error', async () => {
    const bare = registry.startRun({ experiment: 'no-model', config: {}, seed: 1 });
    bare.end();
    const failed = await tinyRun(registry, 9);
    registry.db.prepare("UPDATE runs SET status = 'failed' WHERE id = ?").run(failed);
    const running = registry.startRun({ experiment: 'still', config: {}, seed: 1 });
    const cases: [() => unknown, string | RegExp][] = [
      [() => models.resolveModel(registry, 'tinny'), 'No model named "tinny": expected one of "other.model-v_2", "tiny", received "tinny". Did you mean "tiny"?'],
      [() => models.resolveModel(registry, 'tiny@champoin'), 'Model "tiny" has no alias "champoin": expected one of "champion", received "champoin". Did you mean "champion"?'],
      [() => models.resolveModel(registry, 'tiny/x'), 'Invalid value for `version`: expected a version number (a positive integer), received "x".'],
      [() => models.resolveModel(registry, 'tiny/2@champion'), /^Invalid model reference "tiny\/2@champion": expected 'NAME\/VERSION' or 'NAME@ALIAS', not both\./],
      [() => models.registerModel(registry, 'bad name', runs[1]), /^Invalid value for `model name`: expected a name of 1-100 letters, digits, "\.", "_" or "-", starting with a letter or digit, received "bad name"\./],
      [() => models.registerModel(registry, '-x', runs[1]), /received "-x"/],
      [() => models.registerModel(registry, 'tiny', bare.id), `Run ${bare.id} has no model to register: expected a "model" artifact, received a run whose artifacts are none. Call logModel(run, model, {input: ...}) after train() and register that run.`],
      [() => models.registerModel(registry, 'tiny', failed), `Run ${failed} cannot become a model version: expected a finished run, received a failed run (its model may be half-trained). Register a run that finished.`],
      [() => models.registerModel(registry, 'tiny', running.id), `Run ${running.id} cannot become a model version: expected a finished run, received a running run. Register it once it has finished.`],
      [() => models.registerModel(registry, 'tiny', 9999), /^No run with id 9999 in this registry/],
      [() => models.setAlias(registry, 'tiny', 'v2', 2), /^Invalid value for `alias`: expected a name that is not a version number or "latest".*received "v2"\. Pick a word/],
      [() => models.setAlias(registry, 'tiny', 'latest', 2), /received "latest"/],
      [() => models.setAlias(registry, 'tiny', 'prod', 7), 'Model "tiny" has no version 7: expected one of 2, 4, received 7. See them with `labbook models show tiny`.'],
      [() => models.deleteAlias(registry, 'tiny', 'prod'), /^Model "tiny" has no alias "prod": expected one of "champion", received "prod"\./],
      [() => models.getModel(registry, 'nope'), /^No model named "nope": expected one of "other\.model-v_2", "tiny", received "nope"\. Register one with/],
    ];
    for (const [call, message] of cases) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error, String(message)).toMatchObject({ name: 'LabbookError' });
      if (typeof message === 'string') expect((error as Error).message).toBe(message);
      else expect((error as Error).message).toMatch(message);
    }
    running.end();
  });
});
