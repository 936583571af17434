// Reference profiles in-process: logModel's seeded sample of at most 1000 training rows with the model's predictions, the same for the same seed.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { logModel } from '../../kernel-lib/src/model-package';
import { openRegistry } from '../../kernel-lib/src';
import { readJsonArtifact } from '../../kernel-lib/src/registry/artifacts';
import { tempDb } from '../helpers';
import { tinyModel } from '../model-registry/fixture';
import { featureColumns } from '../../kernel-lib/src/monitor/features';
import { Vocabulary } from '../../kernel-lib/src/data/text/vocabulary';
import { tableRows } from './fixture';

describe('reference profile logged with the model', () => {
  const registry = openRegistry({ db: tempDb() });
  afterAll(() => registry.close());

  async function profiled(seed: number, rows: object[]) {
    const run = registry.startRun({ experiment: 'profile', config: {}, seed });
    const model = tinyModel(3);
    await logModel(run, model, { input: { kind: 'table', features: ['a', 'b', 'c'] }, task: 'classification', labels: ['no', 'yes'], reference: rows });
    model.dispose();
    run.end();
    const artifact = registry.getArtifact(run.id, 'reference-profile');
    return { sha: artifact.sha256, profile: readJsonArtifact(artifact) as any };
  }

  it('samples at most 1000 rows from the seed, predicts on them, and is byte-identical for the same seed', async () => {
    const rows = tableRows(1500, 2);
    const first = await profiled(11, rows);
    expect(first.profile).toMatchObject({ kind: 'labbook-reference-profile', version: 1, rows: 1500, sampled: 1000, seed: 11 });
    expect(first.profile.features.a).toHaveLength(1000);
    expect(new Set(first.profile.prediction)).toEqual(new Set(['no', 'yes']));
    expect(first.profile.summary.a.quantiles).toHaveLength(7);
    expect(first.profile.summary.prediction.kind).toBe('categorical');
    expect((await profiled(11, rows)).sha).toBe(first.sha);
    expect((await profiled(12, rows)).sha).not.toBe(first.sha);
  });

  it('keeps every row of a small training set', async () => {
    const { profile } = await profiled(1, tableRows(50, 3));
    expect(profile).toMatchObject({ rows: 50, sampled: 50 });
    expect(profile.features.b).toEqual(tableRows(50, 3).map((r) => r.b));
  });

  it('takes the training tensor itself: the same sample as its rows as arrays, counted as all of its rows', async () => {
    // float32 values: what the tensor holds.
    const values = Array.from({ length: 1200 }, (_, i) => [i % 7, (i * 13) % 11, Math.fround(i / 1200)]);
    const log = async (reference: unknown) => {
      const run = registry.startRun({ experiment: 'profile', config: {}, seed: 5 });
      const model = tinyModel(3);
      await logModel(run, model, { input: { kind: 'tensor' }, task: 'classification', labels: ['no', 'yes'], reference });
      model.dispose();
      run.end();
      return registry.getArtifact(run.id, 'reference-profile');
    };
    const x = tf.tensor2d(values);
    const fromTensor = readJsonArtifact(await log(x)) as any;
    x.dispose();
    const fromArrays = readJsonArtifact(await log(values)) as any;
    expect(fromTensor).toMatchObject({ rows: 1200, sampled: 1000 });
    expect(fromTensor).toEqual(fromArrays);
  });

  it("measures a text model's texts by length, token count and out-of-vocabulary share, after header stripping", () => {
    const vocabulary = Vocabulary.build([['free', 'money', 'now']], { minFreq: 1 });
    const input = { kind: 'text' as const, vocabulary: vocabulary.toJSON(), maxLen: 8, truncate: 'end' as const, pad: 'end' as const, stripEmailHeaders: null };
    expect(featureColumns(input, ['free money now', 'free lunch', ''])).toEqual({ text_length: [14, 10, 0], tokens: [3, 2, 0], oov_rate: [0, 0.5, 0] });
    const tensors = featureColumns({ kind: 'tensor', shape: [2, 2] }, [[[1, 3], [1, 3]]]);
    expect(tensors).toEqual({ mean: [2], std: [1], min: [1], max: [3] });
  });
});
