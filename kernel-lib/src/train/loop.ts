/** train(): the seeded training loop that records every step and epoch into a run. */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument, LabbookError } from '../errors';
import type { CheckpointRecord } from '../registry/types';
import { serializeTensors } from '../repro/checkpoint';
import { saveModelCheckpoint } from '../repro/model-checkpoint';
import { resolveMetrics } from './batch-metrics';
import { runCallbacks } from './attached';
import { BestTracker, type Logs, type TrainContext, WeightSnapshot } from './callbacks';
import { batchCount, checkData, epochBatches, isBatchSource, type TrainData } from './data';
import { lossByName } from './losses';
import { createOptimizer, getLearningRate, setLearningRate } from './optimizers';
import { checkOptionKeys, type TrainOptions } from './options';
import { progressBar } from './progress';
import { evaluate, type LossFn, trainStep } from './step';
import { rowWeights, weightedLoss } from './weights';

export type { TrainOptions } from './options';

export interface History {
  /** One entry per completed epoch: loss, accuracy, val_loss, val_accuracy, lr, ...; epochs[i] is epoch i + 1. */
  epochs: Logs[];
  steps: number;
  /** Why training ended before `epochs` (e.g. "val_loss did not improve for 5 epochs (best 0.31 at epoch 19)"), or null. */
  stoppedEarly: string | null;
  /** The epoch (counted from 1, as progress prints it) whose `monitor` value was best; null without a monitor. */
  bestEpoch: number | null;
  checkpoint: { final: CheckpointRecord; best: CheckpointRecord | null } | null;
}

/**
 * Trains `model` on `data`. Shuffles, dropout masks and initial weights all derive from seeds, so
 * the same model, data, options and seed give the same weights bit for bit on one backend.
 */
export async function train(model: tf.LayersModel, data: TrainData, options: TrainOptions): Promise<History> {
  const run = options.run;
  try {
    return await trainInner(model, data, options);
  } catch (error) {
    if (run && run.status === 'running') run.fail(error);
    throw error;
  }
}

async function trainInner(model: tf.LayersModel, data: TrainData, options: TrainOptions): Promise<History> {
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an options object such as {epochs: 10}', options);
  checkOptionKeys(options);
  const { run } = options;
  if (!(model instanceof tf.LayersModel)) throw invalidArgument('model', 'a tf.LayersModel', model);
  if (!Number.isInteger(options.epochs) || options.epochs < 1) throw invalidArgument('epochs', 'a positive integer', options.epochs);
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw invalidArgument('batchSize', 'a positive integer', options.batchSize);
  if (options.clipNorm !== undefined && !(options.clipNorm > 0)) throw invalidArgument('clipNorm', 'a positive number', options.clipNorm);
  checkData('data', data);
  if (options.validation) checkData('validation', options.validation);
  const seed = options.seed ?? run?.seed;
  if (seed === undefined) throw invalidArgument('seed', 'a seed for shuffling (or a run, whose seed is used)', undefined);

  const labels = 'y' in data ? data.y : null;
  const lossOption = options.loss ?? (labels && labels.dtype !== 'int32' ? 'mse' : 'sparse-categorical-crossentropy');
  const loss: LossFn = typeof lossOption === 'function' ? lossOption : lossByName(lossOption);
  const lossName = typeof lossOption === 'function' ? 'custom' : lossOption;
  const metrics = resolveMetrics(options.metrics, lossName);
  const weights = trainingWeights(data, options, lossName);
  const optimizer = isOptimizer(options.optimizer) ? options.optimizer : createOptimizer(options.optimizer ?? 'adam');
  const stepsPerEpoch = batchCount(data, batchSize);
  const totalSteps = stepsPerEpoch * options.epochs;
  const logEvery = options.logEvery ?? 1;
  const progress = options.progress === false ? [] : [options.progress === undefined || options.progress === true ? progressBar() : options.progress];
  // Progress first: an epoch's line prints before what other callbacks say about that epoch.
  // Then the caller's, then those attached to the run by whoever started it (runExperiment's `callbacks`).
  const callbacks = [...progress, ...(options.callbacks ?? []), ...runCallbacks(run)];
  const monitor = options.monitor ?? (options.validation ? 'val_loss' : null);
  const saveCheckpoints = run !== undefined && (options.checkpoint ?? true);
  const best = monitor ? { tracker: new BestTracker({ monitor }), weights: saveCheckpoints ? new WeightSnapshot() : null, step: 0 } : null;

  // The rate last given to the optimizer: a different one read back before a batch is a callback's change.
  let applied = getLearningRate(optimizer);
  // A schedule's rate times the changes callbacks made (reduceLROnPlateau composes with cosineDecay).
  let scale = 1;
  let stopReason: string | null = null;
  const ctx: TrainContext = {
    model,
    optimizer,
    epochs: options.epochs,
    stepsPerEpoch,
    step: 0,
    epoch: 0,
    get learningRate() {
      return getLearningRate(optimizer);
    },
    set learningRate(lr: number) {
      setLearningRate(optimizer, lr);
    },
    stop: (reason) => {
      stopReason = reason;
    },
    get stopReason() {
      return stopReason;
    },
    message: (text) => {
      for (const cb of callbacks) cb.onMessage?.(String(text), ctx);
    },
  };
  const history: History = { epochs: [], steps: 0, stoppedEarly: null, bestEpoch: null, checkpoint: null };
  for (const cb of callbacks) await cb.onTrainBegin?.(ctx);
  try {
    for (let epoch = 0; epoch < options.epochs && stopReason === null; epoch++) {
      ctx.epoch = epoch;
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
      const started = performance.now();
      let lossSum = 0;
      const sums = metrics.map(() => 0);
      let seen = 0;
      let lr = getLearningRate(optimizer);
      for (const batch of epochBatches(data, { batchSize, shuffle: options.shuffle ?? true, seed, epoch, weights })) {
        const current = getLearningRate(optimizer);
        if (options.schedule) {
          if (current !== applied && applied > 0) scale *= current / applied;
          lr = options.schedule({ step: ctx.step, epoch, stepsPerEpoch, totalSteps }) * scale;
        } else {
          lr = current;
        }
        if (lr !== applied) {
          setLearningRate(optimizer, lr);
          applied = lr;
        }
        const size = batch.y.shape[0];
        const batchLoss = batch.sampleWeight && lossName !== 'custom' ? weightedLoss(lossName, batch.sampleWeight) : loss;
        let result;
        try {
          result = trainStep(model, optimizer, batch, { loss: batchLoss, forward: options.forward, clipNorm: options.clipNorm, metrics });
        } finally {
          tf.dispose([batch.x, batch.y, ...(batch.sampleWeight ? [batch.sampleWeight] : [])]);
        }
        if (!Number.isFinite(result.loss)) {
          throw new LabbookError(
            'NON_FINITE_LOSS',
            `The loss became ${result.loss} in batch ${ctx.step - epoch * stepsPerEpoch + 1}/${stepsPerEpoch} of epoch ${epoch + 1}/${options.epochs} (metric step ${ctx.step}): expected a finite loss. Lower the learning rate, clip gradients with clipNorm, or check the inputs for NaN.`,
          );
        }
        lossSum += result.loss * size;
        result.metrics.forEach((v, i) => (sums[i] += v));
        seen += size;
        if (run && logEvery > 0 && ctx.step % logEvery === 0) {
          run.log({ batch_loss: result.loss, batch_lr: lr, grad_norm: result.gradNorm }, ctx.step);
        }
        const stepLogs: Logs = { loss: result.loss, size, lr };
        ctx.step++;
        for (const cb of callbacks) await cb.onBatchEnd?.(ctx.step, stepLogs, ctx);
        await yieldEvery(100);
      }
      const seconds = (performance.now() - started) / 1000;
      const logs: Logs = { loss: lossSum / seen };
      metrics.forEach((m, i) => (logs[m.key] = sums[i] / seen));
      if (options.validation) {
        const v = evaluate(model, options.validation, { loss, batchSize: Math.max(batchSize, 256), metrics });
        logs.val_loss = v.loss;
        for (const [key, value] of Object.entries(v.metrics)) logs[`val_${key}`] = value;
      }
      // The rate this epoch's last update used, before any callback changes it for the next.
      logs.lr = lr;
      logs.epoch_seconds = seconds;
      logs.samples_per_sec = seen / seconds;
      // A metric's step for epoch logs is the 0-based epoch index (epoch 1 is step 0).
      run?.log(logs, epoch);
      history.epochs.push(logs);
      if (best && best.tracker.update(epoch, logs)) {
        best.weights?.take(model);
        best.step = ctx.step;
      }
      for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs, ctx);
    }
    history.steps = ctx.step;
    history.stoppedEarly = stopReason;
    history.bestEpoch = best && best.tracker.bestEpoch >= 0 ? best.tracker.bestEpoch + 1 : null;
    if (run && history.bestEpoch !== null) run.log({ best_epoch: history.bestEpoch }, history.epochs.length - 1);
    const last = history.epochs[history.epochs.length - 1] ?? {};
    for (const cb of callbacks) await cb.onTrainEnd?.(last, ctx);
    if (saveCheckpoints && run) {
      let bestRecord: CheckpointRecord | null = null;
      if (best?.weights && !best.weights.empty && best.step !== ctx.step) {
        bestRecord = run.saveCheckpoint(serializeTensors(best.weights.weights), { step: best.step });
      }
      const final = await saveModelCheckpoint(run, model, { step: ctx.step });
      history.checkpoint = { final, best: bestRecord ?? (history.bestEpoch === history.epochs.length ? final : null) };
    }
    return history;
  } finally {
    best?.weights?.release();
    weights?.dispose();
  }
}

/** Per-row loss weights from classWeight and sampleWeight, or null (then the loss is the plain mean, as before). */
function trainingWeights(data: TrainData, options: TrainOptions, lossName: string): tf.Tensor1D | null {
  const given = (['classWeight', 'sampleWeight'] as const).filter((k) => options[k] !== undefined);
  if (given.length === 0) return null;
  if (isBatchSource(data)) {
    throw invalidArgument(given[0], 'in-memory {x, y} training data', 'a batch source', 'Have the source yield batches with a `sampleWeight` tensor instead.');
  }
  if (lossName === 'custom' && options.forward === undefined) {
    throw invalidArgument(
      given[0],
      'a loss given by name (the loop weights its per-row values)',
      'a loss function, which returns only the batch mean',
      'Pass a loss name, or a `forward` that applies `batch.sampleWeight` itself.',
    );
  }
  return rowWeights(data.y, options.classWeight, options.sampleWeight);
}

/** tf.Optimizer's own instanceof check throws on undefined, so look at the shape instead. */
function isOptimizer(value: unknown): value is tf.Optimizer {
  return typeof value === 'object' && value !== null && typeof (value as tf.Optimizer).applyGradients === 'function';
}

let lastYield = 0;

/**
 * Lets timers run (the run's metric flush and heartbeat, a notebook's display and interrupt)
 * at most every `ms`: awaiting resolved promises alone never leaves the microtask queue.
 */
async function yieldEvery(ms: number): Promise<void> {
  const now = performance.now();
  if (now - lastYield < ms) return;
  lastYield = now;
  await new Promise<void>((resolve) => setImmediate(resolve));
}
