// A run's ready model: loadModel(id).predict on raw input in a fresh process, byte-stable model artifacts, and clear errors for bad ones.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPenguins, openRegistry, Pipeline, predictClasses, stripEmailHeaders, tokenize, Vocabulary, type Registry } from '../../kernel-lib/src';
import { loadExperiment, runExperiment } from '../../kernel-lib/src/experiment';
import { buildModel } from '../../kernel-lib/src/models';
import { loadModel, logModel, MODEL_ARTIFACT } from '../../kernel-lib/src/model-package';
import { restoreWeights } from '../../kernel-lib/src/repro/checkpoint';
import * as tf from '@tensorflow/tfjs';
import { ROOT, runNode, tempDb, tempDir } from '../helpers';

const DIST = JSON.stringify(join(ROOT, 'kernel-lib', 'dist'));
const MESSAGES = ['Subject: cheap meds, win money now\n\nclick here to claim your prize', 'Subject: lunch\n\nAre we still meeting at noon tomorrow?', 'hello'];

/** loadModel + predict in a new node process on the built library; prints the predictions as JSON. */
async function predictInChild(db: string, id: number, input: unknown): Promise<{ label: string; probabilities: Record<string, number> }[]> {
  const script = `require(${DIST}).loadModel(${id}, { db: ${JSON.stringify(db)} }).then((m) => { process.stdout.write(JSON.stringify(m.predict(${JSON.stringify(input)}))); m.dispose(); })`;
  const result = await runNode(['-e', script]);
  expect(result.stderr.replace(/=+\n|Hi, looks like[^\n]*\n/g, '').trim()).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

/** The run's own model, rebuilt by hand from its checkpoint, as the parent's reference. */
function rebuilt(registry: Registry, id: number): tf.LayersModel {
  const pkg = JSON.parse(Buffer.from(registry.getArtifact(id, MODEL_ARTIFACT).bytes).toString('utf8'));
  const model = buildModel(pkg.architecture.config, { seed: 0 });
  restoreWeights(model, registry.readObject(registry.getRun(id).checkpoints.at(-1)!.sha256));
  return model;
}

describe('a ready model per run (logModel in the experiments, loadModel anywhere)', () => {
  let db: string;
  let registry: Registry;
  const ids: { penguins: number; penguins2: number; spam: number } = { penguins: 0, penguins2: 0, spam: 0 };

  beforeAll(async () => {
    db = tempDb();
    registry = openRegistry({ db });
    const penguins = loadExperiment('penguins-mlp');
    ids.penguins = (await runExperiment(penguins, { registry, set: { samples: 40, epochs: 2 }, seed: 7, backend: 'cpu' })).id;
    ids.penguins2 = (await runExperiment(penguins, { registry, set: { samples: 40, epochs: 2 }, seed: 7, backend: 'cpu' })).id;
    ids.spam = (await runExperiment(loadExperiment('spam-transformer'), { registry, set: { samples: 48, epochs: 1, maxLen: 32 }, seed: 7, backend: 'cpu' })).id;
  }, 300_000);
  afterAll(() => registry?.close());

  it('predicts species on raw rows without the Species column, as the run model did, in a fresh process', async () => {
    const frame = loadPenguins().frame.dropNa({ axis: 1 }).head(12);
    const rows = frame.values.map((r) => Object.fromEntries((frame.columns as string[]).map((c, i) => [c, (r as unknown[])[i]]))) as Record<string, unknown>[];
    const withoutTarget = rows.map(({ Species: _species, ...rest }) => rest);
    const predicted = await predictInChild(db, ids.penguins, withoutTarget);

    const prep = Pipeline.fromJSON(JSON.parse(Buffer.from(registry.getArtifact(ids.penguins, 'preprocessing').bytes).toString('utf8')));
    const pkg = JSON.parse(Buffer.from(registry.getArtifact(ids.penguins, MODEL_ARTIFACT).bytes).toString('utf8'));
    const model = rebuilt(registry, ids.penguins);
    const transformed = prep.transform(frame);
    const x = tf.tensor2d(transformed.loc({ columns: pkg.input.features }).values as number[][], undefined, 'float32');
    const classes = predictClasses(model, x);
    x.dispose();
    model.dispose();
    const species = ['Adelie', 'Chinstrap', 'Gentoo'];
    expect(predicted.map((p) => p.label)).toEqual(Array.from(classes, (c) => species[c]));
    for (const p of predicted) {
      expect(Object.keys(p.probabilities)).toEqual(species);
      expect(Object.values(p.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  }, 120_000);

  it('predicts spam or ham on raw message strings in a fresh process', async () => {
    const predicted = await predictInChild(db, ids.spam, MESSAGES);
    const vocab = Vocabulary.fromJSON(JSON.parse(Buffer.from(registry.getArtifact(ids.spam, 'vocabulary').bytes).toString('utf8')));
    const model = rebuilt(registry, ids.spam);
    const ids32 = vocab.encodeBatch(MESSAGES.map((m) => tokenize(stripEmailHeaders(m, { keep: ['Subject'] }))), { maxLen: 32 });
    const x = tf.tensor2d(ids32.flatMap((r) => Array.from(r)), [MESSAGES.length, 32], 'int32');
    const classes = predictClasses(model, x);
    x.dispose();
    model.dispose();
    expect(predicted.map((p) => p.label)).toEqual(Array.from(classes, (c) => ['ham', 'spam'][c]));
    for (const p of predicted) expect(p.probabilities.ham + p.probabilities.spam).toBeCloseTo(1, 5);
  }, 120_000);

  it('stores the same model artifact bytes for two runs with the same seed', () => {
    const sha = (id: number) => registry.getRun(id).artifacts.find((a) => a.name === MODEL_ARTIFACT)?.sha256;
    expect(sha(ids.penguins)).toMatch(/^[0-9a-f]{64}$/);
    expect(sha(ids.penguins2)).toBe(sha(ids.penguins));
  });

  it('refuses a tampered model artifact with what is wrong and the fix', async () => {
    const good = JSON.parse(Buffer.from(registry.getArtifact(ids.penguins, MODEL_ARTIFACT).bytes).toString('utf8'));
    const checkpoint = registry.readObject(registry.getRun(ids.penguins).checkpoints.at(-1)!.sha256);
    const cases: [object, RegExp][] = [
      [{ ...good, version: 2 }, /expected `version` 1, received 2\. Re-run the experiment/],
      [{ ...good, input: { ...good.input, features: 5 } }, /expected `input\.features` a non-empty array of column names, received 5/],
      [{ ...good, weights: { final: 'a'.repeat(64), best: null } }, /expected `weights\.final` to be one of the run's checkpoints, received "a{64}"/],
      [{ ...good, architecture: { kind: 'config', config: { kind: 'mlp', outputs: -1 } } }, /expected `architecture` that builds a model/],
    ];
    for (const [tampered, message] of cases) {
      const run = registry.startRun({ experiment: 'tampered', config: {}, seed: 1 });
      run.saveCheckpoint(checkpoint);
      run.logArtifact(MODEL_ARTIFACT, tampered as never);
      run.end();
      const error = await loadModel(run.id, { registry }).then(
        () => null,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(error).toMatchObject({ code: 'MODEL_FORMAT' });
      expect(error?.message).toMatch(message);
    }
  });

  it('stores a hand-built model as a name-free topology (same bytes whatever tfjs named its layers) and loads it back', async () => {
    const make = () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
          tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
    const shas: string[] = [];
    const models = [make(), make()];
    for (const model of models) {
      const run = registry.startRun({ experiment: 'hand-built', config: {}, seed: 1 });
      shas.push((await logModel(run, model, { input: { kind: 'tensor' }, task: 'classification', labels: ['no', 'yes'] })).sha256);
      run.end();
      const ready = await loadModel(run.id, { registry });
      const x = [[1, 2, 3], [-1, 0.5, 2]];
      const expected = (model.predict(tf.tensor2d(x)) as tf.Tensor).arraySync() as number[][];
      const got = ready.predict(x) as { label: string; probabilities: Record<string, number> }[];
      expect(got.map((p) => [p.probabilities.no, p.probabilities.yes])).toEqual(expected);
      expect(got.map((p) => p.label)).toEqual(expected.map((r) => (r[1] > r[0] ? 'yes' : 'no')));
      ready.dispose();
      model.dispose();
    }
    expect(shas[1]).toBe(shas[0]);
  });

  it('reads table rows into the same matrix training builds: booleans as 0/1, a missing value refused with its row', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'zeros' })],
    });
    const run = registry.startRun({ experiment: 'table-model', config: {}, seed: 1 });
    await logModel(run, model, { input: { kind: 'table', features: ['width', 'flag'] }, task: 'regression' });
    run.end();
    const ready = await loadModel(run.id, { registry });
    try {
      const rows = [{ width: 2, flag: true }, { width: 3, flag: false }];
      expect(ready.predict(rows)).toEqual([{ value: 3 }, { value: 3 }]);
      expect(() => ready.predict([{ width: 2, flag: true }, { width: null, flag: true }])).toThrow(
        /Invalid value for `features\.width`: expected numeric or boolean values with none missing, received .*At row 1/,
      );
    } finally {
      ready.dispose();
      model.dispose();
    }
  });

  it('classify() is predict() typed for a classifier, and refuses a regression model', async () => {
    const classifier = await loadModel(ids.penguins, { registry });
    const rows = [{ 'Beak Length (mm)': 39.1, 'Beak Depth (mm)': 18.7, 'Flipper Length (mm)': 181, 'Body Mass (g)': 3750, Island: 'Torgersen', Sex: 'MALE' }];
    expect(classifier.classify(rows)).toEqual(classifier.predict(rows));
    expect(['Adelie', 'Chinstrap', 'Gentoo']).toContain(classifier.classify(rows)[0].label);
    classifier.dispose();
    const regressor = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })] });
    const run = registry.startRun({ experiment: 'hand-built-regression', config: {}, seed: 1 });
    await logModel(run, regressor, { input: { kind: 'tensor' }, task: 'regression' });
    run.end();
    const ready = await loadModel(run.id, { registry });
    expect(() => ready.classify([[1, 2]])).toThrow(new RegExp(`Run ${run.id}'s model cannot classify: expected a classification model, received a regression model\\. Call predict\\(\\)`));
    expect(ready.predict([[1, 2]])).toHaveLength(1);
    ready.dispose();
    regressor.dispose();
  });

  it('says what is missing for a run that logged no model', async () => {
    const run = registry.startRun({ experiment: 'no-model', config: {}, seed: 1 });
    run.logArtifact('notes', 'text');
    run.end();
    await expect(loadModel(run.id, { registry })).rejects.toThrow(/has no model to load: expected a "model" artifact, received a run whose artifacts are "notes"\. Call logModel\(run, model, \{input: \.\.\.\}\)/);
  });

  it('names the feature columns a row lacks', async () => {
    const model = await loadModel(ids.penguins, { registry });
    try {
      expect(() => model.predict([{ Island: 'Biscoe' }])).toThrow(/expected the columns `Beak Length \(mm\)`.*`Sex`.*received rows with `Island`.*the target `Species` is not needed/);
    } finally {
      model.dispose();
    }
  });

  describe('labbook predict in a real process', () => {
    it('prints one prediction per row from a CSV and from JSON on stdin, and one line with exit 2 for a bad file', async () => {
      const dir = tempDir();
      const csv = join(dir, 'rows.csv');
      writeFileSync(csv, 'Beak Length (mm),Beak Depth (mm),Flipper Length (mm),Body Mass (g),Island,Sex\n39.1,18.7,181,3750,Torgersen,MALE\n46.5,13.5,210,4550,Biscoe,FEMALE\n');
      const cli = join(ROOT, 'kernel-lib', 'dist', 'cli', 'main.js');
      const fromCsv = await runNode([cli, 'predict', String(ids.penguins), csv, '--json', '--db', db]);
      expect(fromCsv.code).toBe(0);
      const csvRows = JSON.parse(fromCsv.stdout) as { label: string }[];
      expect(csvRows).toHaveLength(2);
      for (const p of csvRows) expect(['Adelie', 'Chinstrap', 'Gentoo']).toContain(p.label);

      const stdin = `${JSON.stringify(MESSAGES)}`;
      const fromStdin = await runNode(['-e', `const {spawnSync}=require('node:child_process');const r=spawnSync(process.execPath,[${JSON.stringify(cli)},'predict','${ids.spam}','-','--json','--db',${JSON.stringify(db)}],{input:${JSON.stringify(stdin)}});process.stdout.write(r.stdout);process.exitCode=r.status;`]);
      expect(fromStdin.code).toBe(0);
      expect((JSON.parse(fromStdin.stdout) as { label: string }[]).map((p) => p.label).every((l) => l === 'ham' || l === 'spam')).toBe(true);

      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{"not": "rows"}');
      for (const [args, message] of [
        [[bad], /^labbook: Invalid input in ".*bad\.json": expected a non-empty JSON array of rows, received object\./],
        [[join(dir, 'rows.txt')], /^labbook: Invalid FILE: expected a \.csv or \.json file/],
        [[csv, '--checkpoint', 'last'], /^labbook: Invalid value for `--checkpoint`: expected final or best/],
      ] as [string[], RegExp][]) {
        const result = await runNode([cli, 'predict', String(ids.penguins), ...args, '--db', db]);
        expect(result.code).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).toMatch(message);
      }
    }, 120_000);
  });
});
