/** The successive-halving decision both SuccessiveHalvingPruner and HyperbandPruner make, rebuilt from intermediate values (not a pruner). */
import type { Trial } from '../trial';
import { fmt, isBetter, ordinal, stepsOf, type Direction, type PruneDecision } from './types';

/** One successive-halving ladder: Optuna's SuccessiveHalvingPruner with a known min_resource (optuna/pruners/_successive_halving.py). */
export interface Ladder {
  minResource: number;
  reductionFactor: number;
  minEarlyStoppingRate: number;
  bootstrapCount: number;
}

/** The step from which a trial competes at `rung` (Optuna's rung_promotion_step). */
export function promotionStep(ladder: Ladder, rung: number): number {
  return ladder.minResource * ladder.reductionFactor ** (ladder.minEarlyStoppingRate + rung);
}

/**
 * The values a trial has "completed" each rung with: Optuna stores them as the trial's system attrs
 * `completed_rung_k` as it prunes; we rebuild them, so a restarted sweep decides as the first process did.
 * A trial asked at every step records rung k with its first non-NaN value at a step >= the rung's promotion step,
 * and goes up a further rung in the same step only if it was promoted. A trial still going was promoted; one
 * pruned at its final step was promoted there only as far as `promotedAtEnd` says. `upTo` excludes that step on.
 */
export function rungValues(
  ladder: Ladder,
  trial: Trial,
  upTo?: number,
  promotedAtEnd?: (rung: number, value: number) => boolean,
): number[] {
  const steps = stepsOf(trial).filter((p) => upTo === undefined || p.step < upTo);
  const records: number[] = [];
  const finalIndex = trial.state === 'pruned' && upTo === undefined ? steps.length - 1 : -1;
  steps.forEach(({ step, value }, i) => {
    let reachedHere = false;
    while (step >= promotionStep(ladder, records.length) && !Number.isNaN(value)) {
      // A pruned trial went above the rung it reached first at its final step only if promoted there.
      if (reachedHere && i === finalIndex && !promotedAtEnd?.(records.length - 1, value)) break;
      records.push(value);
      reachedHere = true;
    }
  });
  return records;
}

/** Optuna's _is_trial_promotable_to_next_rung, with the numbers a reason quotes. */
export function promotion(ladder: Ladder, value: number, competing: readonly number[], direction: Direction) {
  // Optuna cannot pause trials, so until eta trials reach a rung it promotes the best one so far.
  const promoted = Math.max(Math.floor(competing.length / ladder.reductionFactor), 1);
  const sorted = [...competing].sort((a, b) => a - b);
  const bar = direction === 'maximize' ? sorted[sorted.length - promoted] : sorted[promoted - 1];
  // `competing` includes this trial, hence <= bootstrapCount, as in Optuna.
  const ok = competing.length > ladder.bootstrapCount && !isBetter(bar, value, direction);
  return { ok, promoted, bar };
}

/**
 * Every peer's rung records, in trial-number order: a peer pruned at its final step competes there with
 * the lower-numbered trials (exactly the ones before it in a sequential sweep) to tell how far it went.
 */
function peerRecords(ladder: Ladder, peers: readonly Trial[], direction: Direction): number[][] {
  const done: number[][] = [];
  for (const peer of [...peers].sort((a, b) => a.number - b.number)) {
    const earlier = [...done];
    done.push(
      rungValues(ladder, peer, undefined, (rung, value) => {
        const competing = earlier.filter((r) => r.length > rung).map((r) => r[rung]);
        return promotion(ladder, value, [...competing, value], direction).ok;
      }),
    );
  }
  return done;
}

/**
 * Optuna's SuccessiveHalvingPruner.prune for `trial` at its last step, with `peers` the other trials that
 * compete with it (the whole sweep, or one Hyperband bracket) that had rung records.
 */
export function halvingDecision(
  ladder: Ladder,
  trial: Trial,
  peers: readonly Trial[],
  direction: Direction,
  metric: string,
  prefix = '',
): PruneDecision {
  const points = stepsOf(trial);
  if (points.length === 0) {
    return { prune: false, reason: `kept before any step: ${prefix}the trial has reported no intermediate value yet`, step: null };
  }
  const { step, value } = points[points.length - 1];
  const at = `at step ${step}: ${prefix}`;
  let rung = rungValues(ladder, trial, step).length;
  let passed = '';
  const peerRungs = peerRecords(ladder, peers, direction);
  for (;;) {
    const rungStep = promotionStep(ladder, rung);
    if (step < rungStep) {
      return { prune: false, reason: `kept ${at}${passed}rung ${rung} starts at step ${rungStep}`, step };
    }
    if (Number.isNaN(value)) return { prune: true, reason: `pruned ${at}${metric} is NaN at rung ${rung} (step ${rungStep})`, step };
    const competing = peerRungs.filter((r) => r.length > rung).map((r) => r[rung]);
    competing.push(value);
    const where = `rung ${rung} (step ${rungStep})`;
    const { ok, promoted, bar } = promotion(ladder, value, competing, direction);
    if (competing.length <= ladder.bootstrapCount) {
      return {
        prune: true,
        reason: `pruned ${at}only ${competing.length} trials have reached ${where}, bootstrapCount is ${ladder.bootstrapCount}`,
        step,
      };
    }
    const rank = 1 + competing.filter((v) => isBetter(v, value, direction)).length;
    const standing = `${metric} ${fmt(value, bar)} ranks ${ordinal(rank)} of ${competing.length} trials at ${where}`;
    const best = promoted === 1 ? 'the best one' : `the best ${promoted}`;
    if (!ok) {
      return { prune: true, reason: `pruned ${at}${standing}; only ${best} ${promoted === 1 ? 'goes' : 'go'} on (reduction factor ${ladder.reductionFactor})`, step };
    }
    passed += `${standing}, promoted; `;
    rung += 1;
  }
}
