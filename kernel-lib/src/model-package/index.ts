/** Model packages: logModel stores what predicting needs with a run; loadModel gives it back as a ReadyModel. */
export { logModel, type LogModelSpec, type ModelInput } from './log';
export { loadModel, ReadyModel, type ClassPrediction, type LoadModelOptions, type Prediction } from './load';
export type { PredictInput, TableInput } from './inputs';
export { MODEL_ARTIFACT, type ModelPackage, type ModelTask, type StoredInput } from './spec';
