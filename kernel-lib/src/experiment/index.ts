/** Experiments: definitions, loading from experiments/, recorded runs, and reproduction. */
export { defineExperiment, resolveConfig, type BaseConfig, type Experiment, type ExperimentContext, type ExperimentResult } from './define';
export { listExperimentFiles, loadExperiment, loadExperimentFile } from './loader';
export { experimentCodeHash, runExperiment, type ExperimentRunSummary, type RunExperimentOptions } from './runner';
export { reproduce, type ReproduceResult } from './reproduce';
