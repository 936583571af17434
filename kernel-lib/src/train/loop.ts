/** train(): the seeded training loop that records every step and epoch into a run. */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument, LabbookError } from '../errors';
import type { Run } from '../registry/run';
import type { CheckpointRecord } from '../registry/types';
import { serializeTensors } from '../repro/checkpoint';
import { saveModelCheckpoint } from '../repro/model-checkpoint';
import { BestTracker, type Callback, type Logs, type TrainContext, WeightSnapshot } from './callbacks';
import { batchCount, checkData, epochBatches, type TrainData } from './data';
import { lossByName, type LossName } from './losses';
import { createOptimizer, getLearningRate, type OptimizerName, type OptimizerSpec, setLearningRate } from './optimizers';
import { progressBar } from './progress';
import type { Schedule } from './schedules';
import { evaluate, type ForwardFn, type LossFn, trainStep } from './step';

export interface TrainOptions {
  epochs: number;
  batchSize?: number;
  /** The root of the shuffle seeds; default the run's seed. Required without a run. */
  seed?: number;
  optimizer?: OptimizerSpec | OptimizerName | tf.Optimizer;
  /** Default: sparse categorical cross-entropy (from logits) for int32 labels, MSE otherwise. */
  loss?: LossName | LossFn;
  validation?: TrainData;
  callbacks?: Callback[];
  schedule?: Schedule;
  /** Clip gradients by their global norm. */
  clipNorm?: number;
  shuffle?: boolean;
  /** Records metrics and checkpoints; a failure marks it failed. */
  run?: Run;
  /** Log per-step metrics (batch_loss, lr) every N steps; 0 turns them off. */
  logEvery?: number;
  /** Live progress on stderr (default), a callback of your own, or false. */
  progress?: boolean | Callback;
  /** The epoch log whose best epoch is checkpointed too; default val_loss with validation data. */
  monitor?: string;
  /** Save the final (and best) checkpoint to the run (default true when a run is given). */
  checkpoint?: boolean;
  /** Overrides how a batch's loss is computed (the Keras train_step hook). */
  forward?: ForwardFn;
}

export interface History {
  /** One entry per completed epoch: loss, accuracy, val_loss, val_accuracy, lr, ... */
  epochs: Logs[];
  steps: number;
  stoppedEarly: string | null;
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
  const lossName = options.loss ?? (labels && labels.dtype !== 'int32' ? 'mse' : 'sparse-categorical-crossentropy');
  const loss: LossFn = typeof lossName === 'function' ? lossName : lossByName(lossName);
  const classification = lossName === 'sparse-categorical-crossentropy';
  const optimizer = isOptimizer(options.optimizer) ? options.optimizer : createOptimizer(options.optimizer ?? 'adam');
  const baseLr = getLearningRate(optimizer);
  const stepsPerEpoch = batchCount(data, batchSize);
  const totalSteps = stepsPerEpoch * options.epochs;
  const logEvery = options.logEvery ?? 1;
  const progress = options.progress === false ? [] : [options.progress === undefined || options.progress === true ? progressBar() : options.progress];
  const callbacks = [...(options.callbacks ?? []), ...progress];
  const monitor = options.monitor ?? (options.validation ? 'val_loss' : null);
  const saveCheckpoints = run !== undefined && (options.checkpoint ?? true);
  const best = monitor && saveCheckpoints ? { tracker: new BestTracker({ monitor }), weights: new WeightSnapshot(), step: 0 } : null;

  let stopReason: string | null = null;
  const ctx: TrainContext = {
    model,
    optimizer,
    epochs: options.epochs,
    stepsPerEpoch,
    step: 0,
    epoch: 0,
    stop: (reason) => {
      stopReason = reason;
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
      let correct = 0;
      let seen = 0;
      for (const batch of epochBatches(data, { batchSize, shuffle: options.shuffle ?? true, seed, epoch })) {
        const lr = options.schedule ? options.schedule({ step: ctx.step, epoch, stepsPerEpoch, totalSteps }) : baseLr;
        setLearningRate(optimizer, lr);
        const size = batch.y.shape[0];
        let result;
        try {
          result = trainStep(model, optimizer, batch, { loss, forward: options.forward, clipNorm: options.clipNorm, classification });
        } finally {
          tf.dispose([batch.x, batch.y]);
        }
        if (!Number.isFinite(result.loss)) {
          throw new LabbookError(
            'NON_FINITE_LOSS',
            `The loss became ${result.loss} at step ${ctx.step} (epoch ${epoch}, batch ${ctx.step - epoch * stepsPerEpoch}): expected a finite loss. Lower the learning rate, clip gradients with clipNorm, or check the inputs for NaN.`,
          );
        }
        lossSum += result.loss * size;
        correct += result.correct ?? 0;
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
      if (classification) logs.accuracy = correct / seen;
      if (options.validation) {
        const v = evaluate(model, options.validation, { loss, batchSize: Math.max(batchSize, 256), classification });
        logs.val_loss = v.loss;
        if (v.accuracy !== null) logs.val_accuracy = v.accuracy;
      }
      logs.lr = getLearningRate(optimizer);
      logs.epoch_seconds = seconds;
      logs.samples_per_sec = seen / seconds;
      run?.log(logs, epoch);
      history.epochs.push(logs);
      if (best && best.tracker.update(epoch, logs)) {
        best.weights.take(model);
        best.step = ctx.step;
      }
      for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs, ctx);
    }
    history.steps = ctx.step;
    history.stoppedEarly = stopReason;
    const last = history.epochs[history.epochs.length - 1] ?? {};
    for (const cb of callbacks) await cb.onTrainEnd?.(last, ctx);
    if (saveCheckpoints && run) {
      let bestRecord: CheckpointRecord | null = null;
      if (best && !best.weights.empty && best.step !== ctx.step) {
        bestRecord = run.saveCheckpoint(serializeTensors(best.weights.weights), { step: best.step });
      }
      const final = await saveModelCheckpoint(run, model, { step: ctx.step });
      history.checkpoint = { final, best: bestRecord ?? (best?.tracker.bestEpoch === history.epochs.length - 1 ? final : null) };
    }
    history.bestEpoch = best ? best.tracker.bestEpoch : null;
    return history;
  } finally {
    best?.weights.release();
  }
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
