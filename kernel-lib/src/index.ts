/** labbook's public surface: the curated list of what notebooks, experiments and tools may use. */

// Errors: one class, with a code.
export { LabbookError, type LabbookErrorCode } from './errors';

// The run registry.
export { openRegistry, Registry, Run, SCHEMA_VERSION } from './registry';
export { readClassificationReport, readFigure, readJsonArtifact } from './registry';
export type {
  ArtifactData,
  ArtifactRecord,
  CheckpointRecord,
  Config,
  DatasetRecord,
  EndStatus,
  Json,
  LatestMetric,
  OpenRegistryOptions,
  RunRecord,
  RunStatus,
  StartRunOptions,
  StoredArtifact,
} from './registry';

// Queries and comparison.
export { diffRuns, metricHistories, runsFrame, runsTable, searchRuns } from './query';
export type { MetricHistories, MetricSeries, RunDiff, RunSource, RunSummary, RunsTable, SearchOptions } from './query';

// Reproducibility.
export {
  canonicalJson,
  captureEnvironment,
  checkSeed,
  createRng,
  deriveSeed,
  drawSeed,
  hashFiles,
  loadModelCheckpoint,
  parseCheckpoint,
  registerEnvProvider,
  restoreWeights,
  saveModelCheckpoint,
  serializeWeights,
  sha256,
} from './repro';
export type { Environment, ParsedCheckpoint, Rng } from './repro';

// Backends.
export { availableBackends, configureNative, currentBackendInfo, initBackend } from './backend';
export type { BackendInfo, BackendName } from './backend';

// Data.
export {
  bucketBatches,
  DataFormatError,
  fingerprint,
  LabelEncoder,
  loadCars,
  loadCsv,
  loadIris,
  loadJson,
  loadMnist,
  loadPenguins,
  loadSeattleWeather,
  loadSpamAssassin,
  logFrame,
  MinMaxScaler,
  OneHotEncoder,
  Pipeline,
  splitFrame,
  splitIndices,
  splitTensors,
  Standardizer,
  stripEmailHeaders,
  tokenize,
  toTensors,
  Vocabulary,
} from './data';
export type { Dataset, Fingerprint, IndexSplits, SplitFractions, TensorPair, TensorSplits } from './data';

// Models.
export { buildModel, describeModel, MODEL_KINDS, modelDefaults, parameterCount, resolveModelConfig, SeededDropout } from './models';
export type { CnnConfig, MlpConfig, ModelConfig, ModelKind, RnnConfig, TransformerConfig } from './models';

// Model packages: a run's ready model (architecture, weights, preprocessing, labels) and predict on raw input.
export { loadModel, logModel, ReadyModel } from './model-package';
export type { ClassPrediction, LoadModelOptions, LogModelSpec, ModelInput, Prediction, PredictInput } from './model-package';
// The model registry: named models whose versions are runs' model packages, with aliases
// (`models.registerModel(registry, 'spam', runId)`, `models.setAlias(registry, 'spam', 'champion', 1)`,
// `models.resolveModel(registry, 'spam@champion')`); loadModel('spam@champion') loads one.
export * as models from './model-registry';
// `labbook serve` as a call: startServer({model: 'spam@champion', port: 0}) → {url, close()}.
export { startServer, type RunningServer, type ServeOptions } from './serve';

// Training. Losses and metrics share names (mse, mae), so each is a namespace, as in tf.losses / tf.metrics.
export {
  AdamW,
  cosineDecay,
  createOptimizer,
  earlyStopping,
  evaluate,
  LOSS_NAMES,
  lossByName,
  METRIC_NAMES,
  predict,
  predictClasses,
  progressBar,
  reduceLROnPlateau,
  stepDecay,
  train,
  trainStep,
  warmup,
} from './train';
export type { Batch, BatchSource, Callback, ClassWeight, History, Logs, LossName, MetricName, OptimizerSpec, ReduceLROnPlateauOptions, SampleWeight, Schedule, TrainContext, TrainOptions } from './train';
export * as losses from './train/losses';
export * as metrics from './metrics';

// Plots (pure: data -> plotly.js figure JSON), also as the namespace `plots`.
export * as plots from './plots';
export { alignedHistories, confusionMatrixHeatmap, leaderboard, learningCurves, metricVsParam, parallelCoordinates, varyingParams } from './plots';
export type { Figure } from './plots';

// Display: the only layer that talks to tslab, a terminal or HTML files.
export { detectEnvironment, liveProgress, show, showSweep } from './display';
export type { LiveProgressOptions, ShowOptions, ShowSweepOptions, ShownSweep } from './display';

// The notebook runner (labbook nbtest).
export { executeNotebook, runNotebooks } from './nbtest';
export type { NbtestOptions, NbtestReport, NotebookResult } from './nbtest';

// Experiments.
export { defineExperiment, listExperimentFiles, loadExperiment, reproduce, runExperiment } from './experiment';
export type { BaseConfig, Experiment, ExperimentContext, ExperimentResult, ExperimentRunSummary, ReproduceResult } from './experiment';

// Sweeps' pure core under one name: search spaces and samplers (`sweep.tpeSampler()`, `sweep.choice([...])`)
// and pruners (ports of Optuna's; stateless, each decision with a reason: `new sweep.MedianPruner().shouldPrune(trial, trials, 'minimize')`),
// and sweeps that run: `sweep.defineSweep({...})`, `sweep.runSweep(definition)`, `sweep.loadSweep(registry, id)`, `sweep.runTrial(...)`.
export * as sweep from './sweep';
// The team registry on PostgreSQL (`team.openTeamStore(url)`, `team.searchTeamRuns(store, {where})`,
// `team.syncToTeam(localDb, url)`): the SQLite registry's queries, asynchronously, on a shared store.
export * as team from './team';

// Monitoring (issue 11): drift statistics with Evidently's defaults (`monitor.featureDrift`,
// `monitor.datasetDrift`), and served traffic against a version's reference profile:
// `monitor.report('spam@champion', {since})` with alerts, `monitor.show(report)` in a notebook.
export * as monitor from './monitor';

// Export (issue 11, first part): tfjs's layers format that stock tf.loadLayersModel reads, with
// float16/uint8 weight quantization: `exporter.exportTfjs(runId, dir, {quantize: 'uint8'})`, `exporter.loadExport(dir)`.
export * as exporter from './export';

// Compression (issue 11): a quantized (float16/uint8) or magnitude-pruned copy of a run's model as a
// recorded child run with size, accuracy and latency beside the source's:
// `compress.compressModel(registry, runId, {method: 'uint8', evaluate: {x, y}})`.
export * as compress from './compress';
