/** Sweeps: search spaces, samplers (grid, random, TPE), pruners, the trial record, and sweeps run as parent runs with child trials. */
export { choice, defineSpace, int, isActive, logUniform, uniform } from './space';
export type { Condition, Params, ParamSpec, Scalar, SearchSpace } from './space';
export type { Trial, TrialIntermediate, TrialState } from './trial';
export type { Direction, ProposeInput, Sampler } from './sampler';
export { gridPoints, gridSampler, type GridOptions } from './grid';
export { randomSampler } from './random';
export { tpeSampler, type TpeOptions } from './tpe';
export { HyperbandPruner, MedianPruner, NopPruner, SuccessiveHalvingPruner } from './pruners';
export type { HyperbandPrunerOptions, MedianPrunerOptions, PruneDecision, Pruner, SuccessiveHalvingPrunerOptions } from './pruners';
export { bestTrial, leaderboard, paramImportance, whyNoBestTrial, type LeaderboardOptions, type LeaderboardRow } from './analysis';
export { defineSweep, checkSweepDefinition, type SweepDefinition, type SweepInput } from './define';
export { PRUNER_NAMES, SAMPLER_NAMES, type PrunerName, type SamplerName } from './factory';
export { loadSweep, parentExperiment, type LoadedSweep } from './load';
export { runTrial, type RunTrialOptions, type TrialResult } from './trial-run';
export { runSweep, type RunSweepOptions, type SweepSummary, type SweepTrialSummary } from './run';
