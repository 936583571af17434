/** Pruners: stop unpromising sweep trials early from their intermediate values (ports of Optuna's); not the training callback that asks them. */
export { MedianPruner, type MedianPrunerOptions } from './median';
export { SuccessiveHalvingPruner, type SuccessiveHalvingPrunerOptions } from './successive-halving';
export { HyperbandPruner, type HyperbandPrunerOptions } from './hyperband';
export { NopPruner } from './nop';
export type { Direction, PruneDecision, Pruner, PrunerNaming } from './types';
