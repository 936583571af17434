/** Training: the seeded loop, optimizers, losses, callbacks, schedules and progress. */
export { train, type History, type TrainOptions } from './loop';
export { METRIC_NAMES, type MetricName } from './batch-metrics';
export { type ClassWeight, type SampleWeight } from './weights';
export { evaluate, trainStep, type ForwardFn, type LossFn, type StepOptions, type StepResult } from './step';
export { predict, predictClasses } from './predict';
export { type Batch, type BatchSource, type TensorData, type TrainData } from './data';
export { AdamW, createOptimizer, getLearningRate, setLearningRate, type OptimizerName, type OptimizerSpec } from './optimizers';
export { cosineDecay, stepDecay, warmup, type Schedule, type ScheduleContext } from './schedules';
export { earlyStopping, reduceLROnPlateau, type Callback, type Logs, type Monitor, type ReduceLROnPlateauOptions, type TrainContext } from './callbacks';
export { progressBar, type ProgressOptions } from './progress';
export { attachCallbacks, runCallbacks } from './attached';
export * as losses from './losses';
export { LOSS_NAMES, lossByName, type LossName } from './losses';
