// Tabular classification: penguin species from measurements, island and sex, with preprocessing fitted on the training split.
import * as tf from '@tensorflow/tfjs';
import { buildModel, defineExperiment, deriveSeed, LabelEncoder, loadPenguins, logModel, metrics, OneHotEncoder, Pipeline, plots, predictClasses, splitFrame, Standardizer, toTensors, train } from 'labbook';

const MEASUREMENTS = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];

export default defineExperiment({
  name: 'penguins-mlp',
  description: 'MLP on Palmer penguins (npm package vega-datasets): species from measurements, island, sex',
  defaults: { epochs: 60, samples: 0, batchSize: 16, learningRate: 0.01, hidden: [32], dropout: 0.1 },
  async run({ run, config, seed, progress }) {
    const data = loadPenguins({ run });
    const splits = splitFrame(data.frame, { train: 0.7, validation: 0.15, test: 0.15, seed, stratify: 'Species' });
    const trainFrame = config.samples ? splits.train.head(config.samples) : splits.train;
    const onehot = new OneHotEncoder();
    const species = new LabelEncoder();
    const prep = new Pipeline().add(new Standardizer(), MEASUREMENTS).add(onehot, ['Island', 'Sex']).add(species, ['Species']);
    prep.fit(trainFrame);
    run.logArtifact('preprocessing', prep.toJSON());
    const features = [...MEASUREMENTS, ...onehot.outputColumns()];
    const tensors = (frame: typeof trainFrame) => toTensors(prep.transform(frame), { features, target: 'Species', targetType: 'class' });
    const [trainSet, validation, test] = [tensors(trainFrame), tensors(splits.validation!), tensors(splits.test!)];
    const model = buildModel(
      { kind: 'mlp', task: 'classification', outputs: 3, inputShape: [features.length], hidden: config.hidden, dropout: config.dropout },
      { seed: deriveSeed(seed, 'model') },
    );
    const history = await train(model, trainSet, { epochs: config.epochs, batchSize: config.batchSize, optimizer: { name: 'adam', learningRate: config.learningRate }, validation, run, progress });
    // Raw rows without Species in, species names out: loadModel(run id).predict(rows).
    // The training rows are also the reference profile `labbook monitor` measures served traffic against.
    await logModel(run, model, { input: { kind: 'table', features, pipeline: prep, target: 'Species' }, history, reference: trainFrame });
    const predicted = predictClasses(model, test.x);
    const LABELS = species.classes('Species').map(String);
    // What the test split says per class, kept with the run: notebooks and reports read it back instead of rebuilding the split.
    run.logArtifact('test_report', metrics.classificationReport(test.y, predicted, { labelNames: LABELS }));
    run.logArtifact('test_confusion', plots.confusionMatrixHeatmap(metrics.confusionMatrix(test.y, predicted, LABELS.length), LABELS));
    const result = { test_accuracy: metrics.accuracy(test.y, predicted), test_macro_f1: metrics.f1Score(test.y, predicted, { average: 'macro' }) };
    tf.dispose([trainSet, validation, test]);
    model.dispose();
    return result;
  },
});
