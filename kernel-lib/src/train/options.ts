/** train()'s options: what each means, and the run-time check that refuses a key train() does not know. */
import type * as tf from '@tensorflow/tfjs';
import type { Run } from '../registry/run';
import { refuseUnknownKeys } from '../suggest';
import type { MetricName } from './batch-metrics';
import type { Callback } from './callbacks';
import type { TrainData } from './data';
import type { LossName } from './losses';
import type { OptimizerName, OptimizerSpec } from './optimizers';
import type { Schedule } from './schedules';
import type { ForwardFn, LossFn } from './step';
import type { ClassWeight, SampleWeight } from './weights';

export interface TrainOptions {
  epochs: number;
  batchSize?: number;
  /** The root of the shuffle seeds; default the run's seed. Required without a run. */
  seed?: number;
  optimizer?: OptimizerSpec | OptimizerName | tf.Optimizer;
  /** Default: sparse categorical cross-entropy (from logits) for int32 labels, MSE otherwise. */
  loss?: LossName | LossFn;
  /**
   * Metrics logged per epoch beside the loss (and as val_* with validation data). Default:
   * ['accuracy'] for a classification loss name, none for regression losses and loss functions.
   */
  metrics?: readonly MetricName[];
  /** Loss weight per class index, or 'balanced'; multiplies `sampleWeight`. In-memory {x, y} data only. */
  classWeight?: ClassWeight;
  /** Loss weight per training row, shuffled with the rows. In-memory {x, y} data only. */
  sampleWeight?: SampleWeight;
  validation?: TrainData;
  callbacks?: Callback[];
  /** Sets the rate before every update; a callback's change to the rate scales it from then on. */
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

/** Every key of TrainOptions: plain JavaScript (and a config spread into options) reaches train() unchecked by TypeScript. */
const KNOWN: readonly (keyof TrainOptions)[] = [
  'epochs',
  'batchSize',
  'seed',
  'optimizer',
  'loss',
  'metrics',
  'classWeight',
  'sampleWeight',
  'validation',
  'callbacks',
  'schedule',
  'clipNorm',
  'shuffle',
  'run',
  'logEvery',
  'progress',
  'monitor',
  'checkpoint',
  'forward',
];

/** Keras and PyTorch habits that are no typo of a key here. */
const HINTS: { [key: string]: string } = {
  learningRate: 'Set it in the optimizer: `optimizer: {name: \'adam\', learningRate}`.',
  lr: 'Set it in the optimizer: `optimizer: {name: \'adam\', learningRate}`.',
  validationData: 'Did you mean `validation`?',
  validation_data: 'Did you mean `validation`?',
  verbose: 'Use `progress` (true, false or a callback).',
};

/** Refuses keys train() would otherwise ignore silently (a misspelt `classWeights` trained unweighted). */
export function checkOptionKeys(options: object): void {
  refuseUnknownKeys('train()', options, KNOWN, HINTS);
}
