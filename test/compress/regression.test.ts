// A regression model compresses the same way, scored by RMSE (eval_rmse beside eval_rmse_source), with tensors in and targets as a tensor.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, loadIris, logModel, openRegistry, train, type Registry } from '../../kernel-lib/src';
import { compressModel } from '../../kernel-lib/src/compress';
import { tempDb } from '../helpers';

describe('compressModel on a regression model', () => {
  let registry: Registry;
  let id = 0;
  let x: tf.Tensor2D;
  let y: tf.Tensor2D;
  beforeAll(async () => {
    registry = openRegistry({ db: tempDb() });
    // Petal width from the other three measurements, in centimetres as they are.
    const rows = (loadIris().frame.values as number[][]).map((r) => r.slice(0, 4).map(Number));
    x = tf.tensor2d(rows.map((r) => r.slice(0, 3)));
    y = tf.tensor2d(rows.map((r) => [r[3]]));
    id = await registry.withRun({ experiment: 'iris-petal-width', seed: 5 }, async (run) => {
      const model = buildModel({ kind: 'mlp', task: 'regression', outputs: 1, inputShape: [3], hidden: [32] }, { seed: run.seed });
      await train(model, { x, y }, { epochs: 30, batchSize: 16, optimizer: { name: 'adam', learningRate: 0.01 }, run, progress: false });
      await logModel(run, model, { input: { kind: 'tensor' } });
      model.dispose();
      return run.id;
    });
  }, 120_000);
  afterAll(() => {
    tf.dispose([x, y]);
    registry?.close();
  });

  it('logs eval_rmse, eval_rmse_source and their delta; uint8 moves the RMSE by little', async () => {
    const { metrics: m } = await compressModel(registry, id, { method: 'uint8', evaluate: { x, y }, repeats: 1 });
    expect(m.eval_rmse_source).toBeGreaterThan(0);
    expect(m.eval_rmse_source).toBeLessThan(0.5);
    expect(m.eval_rmse_delta).toBeCloseTo(m.eval_rmse - m.eval_rmse_source, 12);
    expect(Math.abs(m.eval_rmse_delta)).toBeLessThan(0.05);
    expect(m.size_ratio).toBe(0.25);
    expect(m).not.toHaveProperty('eval_accuracy');
  }, 60_000);

  it('refuses targets whose count is not one per row', async () => {
    await expect(compressModel(registry, id, { method: 'float16', evaluate: { x, y: [1, 2] }, repeats: 1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/^Invalid value for `evaluate.y`: expected 150 entries \(one per row of evaluate.x\), received "2 entries"/),
    });
  }, 60_000);
});
