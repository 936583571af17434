/** Callbacks: plain objects with optional hooks, and early stopping that restores the best weights. */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors';

/** Metric values by name, e.g. {loss, accuracy, val_loss, val_accuracy, lr}. */
export type Logs = { [name: string]: number };

/** What every hook can see and do. */
export interface TrainContext {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  epochs: number;
  stepsPerEpoch: number;
  /** Updates done so far. */
  step: number;
  epoch: number;
  /** Asks the loop to stop after the current epoch. */
  stop(reason: string): void;
}

export interface Callback {
  onTrainBegin?(ctx: TrainContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainContext): void | Promise<void>;
  onBatchEnd?(step: number, logs: Logs, ctx: TrainContext): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs, ctx: TrainContext): void | Promise<void>;
  onTrainEnd?(logs: Logs, ctx: TrainContext): void | Promise<void>;
}

export interface Monitor {
  /** The epoch log to watch, e.g. 'val_loss'. */
  monitor: string;
  /** 'min' for losses, 'max' for accuracies; default from the name. */
  mode?: 'min' | 'max';
  /** The smallest change that counts as an improvement. */
  minDelta?: number;
}

/** Tracks the best value of one epoch log. */
export class BestTracker {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  private readonly minDelta: number;
  best: number | null = null;
  bestEpoch = -1;

  constructor(options: Monitor) {
    if (typeof options.monitor !== 'string' || options.monitor === '') throw invalidArgument('monitor', 'an epoch log name such as "val_loss"', options.monitor);
    this.monitor = options.monitor;
    this.mode = options.mode ?? (/acc|auc|f1|precision|recall|r2/.test(options.monitor) ? 'max' : 'min');
    this.minDelta = Math.abs(options.minDelta ?? 0);
  }

  /** True when this epoch improved on the best so far. */
  update(epoch: number, logs: Logs): boolean {
    const value = logs[this.monitor];
    if (value === undefined) {
      throw invalidArgument('monitor', `one of the epoch logs (${Object.keys(logs).join(', ')})`, this.monitor, 'Add validation data to monitor val_* logs.');
    }
    const better = this.best === null || (this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta);
    if (better && Number.isFinite(value)) {
      this.best = value;
      this.bestEpoch = epoch;
      return true;
    }
    return false;
  }
}

/** Copies of a model's weights, kept outside tidy scopes until released. */
export class WeightSnapshot {
  private tensors: tf.Tensor[] = [];

  take(model: tf.LayersModel): void {
    this.release();
    this.tensors = model.getWeights().map((w) => tf.keep(w.clone()));
  }

  /** The copied weights, in model.getWeights() order (owned by the snapshot). */
  get weights(): readonly tf.Tensor[] {
    return this.tensors;
  }

  get empty(): boolean {
    return this.tensors.length === 0;
  }

  restore(model: tf.LayersModel): void {
    if (!this.empty) model.setWeights(this.tensors);
  }

  release(): void {
    this.tensors.forEach((t) => t.dispose());
    this.tensors = [];
  }
}

/**
 * Stops when `monitor` has not improved for `patience` epochs and, by default, puts back the
 * weights of the best epoch (Keras's restore_best_weights), so the final checkpoint is the best.
 */
export function earlyStopping(options: Monitor & { patience?: number; restoreBestWeights?: boolean }): Callback {
  const patience = options.patience ?? 3;
  if (!Number.isInteger(patience) || patience < 0) throw invalidArgument('patience', 'a non-negative integer', options.patience);
  const restore = options.restoreBestWeights ?? true;
  const tracker = new BestTracker(options);
  const snapshot = new WeightSnapshot();
  return {
    onEpochEnd(epoch, logs, ctx) {
      if (tracker.update(epoch, logs)) {
        if (restore) snapshot.take(ctx.model);
      } else if (epoch - tracker.bestEpoch >= patience) {
        ctx.stop(`early stopping: ${tracker.monitor} has not improved for ${patience} epochs (best ${tracker.best} at epoch ${tracker.bestEpoch})`);
      }
    },
    onTrainEnd(_logs, ctx) {
      if (restore) snapshot.restore(ctx.model);
      snapshot.release();
    },
  };
}
