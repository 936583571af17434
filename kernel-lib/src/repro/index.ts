/** Reproducibility: seeds, hashes, canonical checkpoints, environment capture (no tfjs loaded on import). */
export { canonicalJson, hashFiles, sha256 } from './hash';
export {
  encodeCheckpoint,
  parseCheckpoint,
  restoreWeights,
  serializeTensors,
  serializeWeights,
  type CheckpointData,
  type CheckpointDtype,
  type CheckpointTensor,
  type ParsedCheckpoint,
} from './checkpoint';
export {
  captureEnvironment,
  registerEnvProvider,
  type CaptureOptions,
  type EnvProvider,
  type Environment,
} from './env';
export { checkSeed, deriveSeed, drawSeed, MAX_SEED } from './seed';
export { createRng, type Rng } from './rng';
export { findProjectRoot } from './root';
export { loadModelCheckpoint, saveModelCheckpoint } from './model-checkpoint';
export { notebookContext, type NotebookContext } from './notebook';
export { describePromise, promiseDifferences, promiseScope, recordedPromise, type ReproPromise } from './promise';
