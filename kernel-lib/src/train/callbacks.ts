/** Callbacks: plain objects with optional hooks, and early stopping that restores the best weights. */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors';
import { getLearningRate, setLearningRate } from './optimizers';

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
  /** The 0-based index of the current epoch (Keras's convention for hooks); people read epoch + 1. */
  epoch: number;
  /**
   * The rate of the next update. Setting it (or the optimizer's own field) is honoured from the
   * next batch on; with a `schedule` it scales the scheduled rate from then on.
   */
  learningRate: number;
  /** Asks the loop to stop after the current epoch. */
  stop(reason: string): void;
  /** Why stop() was called, once it was (null while training goes on). */
  readonly stopReason: string | null;
  /** A line for the person watching (e.g. "reducing the learning rate"): the progress display shows it. */
  message(text: string): void;
}

export interface Callback {
  onTrainBegin?(ctx: TrainContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainContext): void | Promise<void>;
  onBatchEnd?(step: number, logs: Logs, ctx: TrainContext): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs, ctx: TrainContext): void | Promise<void>;
  onTrainEnd?(logs: Logs, ctx: TrainContext): void | Promise<void>;
  /** A callback's message to the person watching (ctx.message); progress displays show it. */
  onMessage?(text: string, ctx: TrainContext): void;
}

export interface Monitor {
  /** The epoch log to watch, e.g. 'val_loss'. */
  monitor: string;
  /** 'min' for losses, 'max' for accuracies; 'auto' (default) decides from the name. */
  mode?: 'auto' | 'min' | 'max';
  /** The smallest change that counts as an improvement. */
  minDelta?: number;
}

/** Tracks the best value of one epoch log. */
export class BestTracker {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  private readonly minDelta: number;
  best: number | null = null;
  /** The 0-based index of the best epoch so far (-1 before any). */
  bestEpoch = -1;

  constructor(options: Monitor) {
    if (typeof options.monitor !== 'string' || options.monitor === '') throw invalidArgument('monitor', 'an epoch log name such as "val_loss"', options.monitor);
    this.monitor = options.monitor;
    const mode = options.mode ?? 'auto';
    if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw invalidArgument('mode', "'auto', 'min' or 'max'", options.mode);
    this.mode = mode !== 'auto' ? mode : /acc|auc|f1|precision|recall|r2/.test(options.monitor) ? 'max' : 'min';
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
        // Epochs in text count from 1, as the progress lines do.
        ctx.stop(`${tracker.monitor} did not improve for ${epochsText(patience)} (best ${formatValue(tracker.best)} at epoch ${tracker.bestEpoch + 1})`);
      }
    },
    onTrainEnd(_logs, ctx) {
      if (restore) snapshot.restore(ctx.model);
      snapshot.release();
    },
  };
}

function epochsText(n: number): string {
  return n === 1 ? '1 epoch' : `${n} epochs`;
}

function formatValue(value: number | null): string {
  return value === null ? 'none' : String(Number(value.toPrecision(4)));
}

export interface ReduceLROnPlateauOptions extends Partial<Monitor> {
  /** The rate is multiplied by this (below 1) when the monitor plateaus; default 0.1. */
  factor?: number;
  /** Epochs without improvement before reducing; default 10. */
  patience?: number;
  /** Epochs after a reduction during which patience does not count; default 0. */
  cooldown?: number;
  /** The rate never goes below this; default 0. */
  minLr?: number;
  /** Say each reduction through the progress display (default true). */
  verbose?: boolean;
}

/**
 * Keras's ReduceLROnPlateau: when `monitor` (default val_loss) has not improved by more than
 * `minDelta` (default 1e-4) for `patience` epochs, lr <- max(lr * factor, minLr); then `cooldown`
 * epochs pass before the count starts again.
 */
export function reduceLROnPlateau(options: ReduceLROnPlateauOptions = {}): Callback {
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an options object', options);
  const factor = options.factor ?? 0.1;
  if (!(factor > 0 && factor < 1)) throw invalidArgument('factor', 'a number between 0 and 1 (exclusive)', options.factor, 'A factor of 1 or more would not reduce the rate.');
  const patience = options.patience ?? 10;
  if (!Number.isInteger(patience) || patience < 0) throw invalidArgument('patience', 'a non-negative integer', options.patience);
  const cooldown = options.cooldown ?? 0;
  if (!Number.isInteger(cooldown) || cooldown < 0) throw invalidArgument('cooldown', 'a non-negative integer', options.cooldown);
  const minLr = options.minLr ?? 0;
  if (!(minLr >= 0) || !Number.isFinite(minLr)) throw invalidArgument('minLr', 'a non-negative number', options.minLr);
  const tracker = new BestTracker({ monitor: options.monitor ?? 'val_loss', mode: options.mode, minDelta: options.minDelta ?? 1e-4 });
  let wait = 0;
  let cooling = 0;
  return {
    onTrainBegin() {
      wait = 0;
      cooling = 0;
    },
    onEpochEnd(epoch, logs, ctx) {
      if (cooling > 0) {
        cooling--;
        wait = 0;
      }
      if (tracker.update(epoch, logs)) {
        wait = 0;
      } else if (cooling === 0 && ++wait >= patience) {
        const old = getLearningRate(ctx.optimizer);
        if (old > minLr) {
          const lr = Math.max(old * factor, minLr);
          setLearningRate(ctx.optimizer, lr);
          if (options.verbose ?? true) {
            ctx.message(`epoch ${epoch + 1}: reducing the learning rate to ${formatValue(lr)} (${tracker.monitor} did not improve for ${epochsText(wait)})`);
          }
          cooling = cooldown;
          wait = 0;
        }
      }
    },
  };
}
