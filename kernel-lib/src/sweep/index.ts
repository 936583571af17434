/** Sweeps' pure core: search spaces, samplers (grid, random, TPE), pruners and the trial record; no registry, CLI or workers yet. */
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
