/** The pruner that never prunes: a port of Optuna's NopPruner (optuna/pruners/_nop.py), for sweeps that run every trial out. */
import type { Trial } from '../trial';
import { checkDirection, lastStep, type Direction, type PruneDecision, type Pruner } from './types';

export class NopPruner implements Pruner {
  readonly name = 'nop';

  shouldPrune(trial: Trial, _allTrials: readonly Trial[], direction: Direction): PruneDecision {
    checkDirection(direction);
    const step = lastStep(trial);
    const at = step === null ? 'before any step' : `at step ${step}`;
    return { prune: false, reason: `kept ${at}: pruning is off (NopPruner)`, step };
  }
}
