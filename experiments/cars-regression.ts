// Regression: fuel economy (MPG) of 1970s-80s cars from engine, weight, year and origin; reports RMSE and R².
import * as tf from '@tensorflow/tfjs';
import { buildModel, defineExperiment, deriveSeed, loadCars, logModel, metrics, OneHotEncoder, Pipeline, predict, splitFrame, Standardizer, toTensors, train } from 'labbook';

const NUMERIC = ['Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration', 'Year'];

export default defineExperiment({
  name: 'cars-regression',
  description: 'MLP regression of Miles_per_Gallon on the cars data (npm package vega-datasets); reports RMSE and R²',
  defaults: { epochs: 150, samples: 0, batchSize: 32, learningRate: 0.005, hidden: [64, 32], loss: 'huber' },
  async run({ run, config, seed, progress }) {
    const data = loadCars({ run });
    const splits = splitFrame(data.frame, { train: 0.7, validation: 0.15, test: 0.15, seed });
    const trainFrame = config.samples ? splits.train.head(config.samples) : splits.train;
    const onehot = new OneHotEncoder();
    const prep = new Pipeline().add(new Standardizer(), NUMERIC).add(onehot, ['Origin']);
    prep.fit(trainFrame);
    run.logArtifact('preprocessing', prep.toJSON());
    const features = [...NUMERIC, ...onehot.outputColumns()];
    const tensors = (frame: typeof trainFrame) => toTensors(prep.transform(frame), { features, target: 'Miles_per_Gallon', targetType: 'regression' });
    const [trainSet, validation, test] = [tensors(trainFrame), tensors(splits.validation!), tensors(splits.test!)];
    // The head has one output of shape [n, 1]; targets become [n, 1] to match it.
    const column = (t: { x: tf.Tensor; y: tf.Tensor }) => ({ x: t.x, y: t.y.reshape([-1, 1]) });
    const model = buildModel({ kind: 'mlp', task: 'regression', outputs: 1, inputShape: [features.length], hidden: config.hidden }, { seed: deriveSeed(seed, 'model') });
    const history = await train(model, column(trainSet), {
      epochs: config.epochs,
      batchSize: config.batchSize,
      loss: config.loss as 'huber' | 'mse' | 'mae',
      optimizer: { name: 'adam', learningRate: config.learningRate },
      validation: column(validation),
      run,
      progress,
    });
    // The raw training rows are also the reference profile `labbook monitor` measures served traffic against.
    await logModel(run, model, { input: { kind: 'table', features, pipeline: prep, target: 'Miles_per_Gallon' }, history, reference: trainFrame });
    const predicted = predict(model, test.x);
    const yPred = predicted.dataSync();
    const result = { test_rmse: metrics.rmse(test.y, yPred), test_mae: metrics.mae(test.y, yPred), test_r2: metrics.r2(test.y, yPred) };
    tf.dispose([trainSet, validation, test, predicted]);
    model.dispose();
    return result;
  },
});
