// Sequences: will it rain in Seattle tomorrow, from the last 14 days of weather? An LSTM against two stated baselines.
import * as tf from '@tensorflow/tfjs';
import { buildModel, defineExperiment, deriveSeed, earlyStopping, loadSeattleWeather, logModel, metrics, predictClasses, train } from 'labbook';

/**
 * Days are split in time order (70% train, 15% validation, 15% test), never shuffled across the
 * split, so no future day leaks into training. Baselines on the same test days: "majority"
 * (always the training set's more common answer) and "persistence" (tomorrow as today).
 */
export default defineExperiment({
  name: 'sequence-lstm',
  description: 'LSTM 2x64 over 14 days of Seattle weather (npm package vega-datasets) predicting rain tomorrow; with majority and persistence baselines',
  defaults: { epochs: 30, samples: 0, batchSize: 32, learningRate: 0.001, window: 14, units: [64, 64], dropout: 0.3, patience: 5 },
  async run({ run, config, seed, progress }) {
    const data = loadSeattleWeather({ run });
    const days = data.x!.arraySync() as number[][]; // precipitation, temp_max, temp_min, wind
    tf.dispose([data.x!, data.y!]);
    const rained = days.map((d) => (d[0] > 0 ? 1 : 0));
    const windows = days.length - config.window;
    const trainEnd = Math.round(windows * 0.7);
    const validationEnd = Math.round(windows * 0.85);
    // Standardize with statistics of the training days only; kept with the run.
    const features = days[0].length;
    const mean = Array.from({ length: features }, (_, f) => avg(days.slice(0, trainEnd + config.window).map((d) => d[f])));
    const std = Array.from({ length: features }, (_, f) => Math.sqrt(avg(days.slice(0, trainEnd + config.window).map((d) => (d[f] - mean[f]) ** 2))) || 1);
    run.logArtifact('preprocessing', { mean, std, features: ['precipitation', 'temp_max', 'temp_min', 'wind', 'rained'] });
    const step = (d: number[], i: number) => [...d.map((v, f) => (v - mean[f]) / std[f]), rained[i]];
    const make = (from: number, to: number) => {
      const xs: number[][][] = [];
      const ys: number[] = [];
      for (let t = from; t < to; t++) {
        xs.push(Array.from({ length: config.window }, (_, k) => step(days[t + k], t + k)));
        ys.push(rained[t + config.window]);
      }
      return { x: tf.tensor3d(xs), y: tf.tensor1d(ys, 'int32'), ys, today: ys.map((_, i) => rained[from + i + config.window - 1]) };
    };
    const trainSet = make(config.samples ? Math.max(0, trainEnd - config.samples) : 0, trainEnd);
    const validation = make(trainEnd, validationEnd);
    const test = make(validationEnd, windows);
    const model = buildModel(
      { kind: 'lstm', task: 'classification', outputs: 2, inputShape: [config.window, features + 1], units: config.units, dropout: config.dropout },
      { seed: deriveSeed(seed, 'model') },
    );
    const history = await train(model, { x: trainSet.x, y: trainSet.y }, {
      epochs: config.epochs,
      batchSize: config.batchSize,
      optimizer: { name: 'adam', learningRate: config.learningRate },
      validation: { x: validation.x, y: validation.y },
      // the weather of four years overfits fast: keep the epoch with the best validation loss
      callbacks: [earlyStopping({ monitor: 'val_loss', patience: config.patience })],
      run,
      progress,
    });
    // Windows already standardized with the `preprocessing` artifact's mean and std.
    await logModel(run, model, { input: { kind: 'tensor', shape: [config.window, features + 1] }, labels: ['dry', 'rain'], history, reference: trainSet.x });
    const predicted = predictClasses(model, test.x);
    const majority = avg(trainSet.ys) >= 0.5 ? 1 : 0;
    const result = {
      test_accuracy: metrics.accuracy(test.ys, predicted),
      test_f1: metrics.f1Score(test.ys, predicted),
      baseline_majority_accuracy: metrics.accuracy(test.ys, test.ys.map(() => majority)),
      baseline_persistence_accuracy: metrics.accuracy(test.ys, test.today),
    };
    tf.dispose([trainSet.x, trainSet.y, validation.x, validation.y, test.x, test.y]);
    model.dispose();
    return result;
  },
});

function avg(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
