/** Taking a class-balanced subset of a grouped corpus, in source order or seeded. */
import { createRng } from '../../repro/rng';
import { checkSeed, deriveSeed } from '../../repro/seed';
import { apportion } from '../allocate';
import { shuffle } from '../split';

/**
 * Picks `samples` items from groups of the given sizes, each group contributing in proportion to
 * its size. Without a seed: the first items of each group, groups in order (so the same subset
 * every time, in source order). With a seed: a seeded random subset of each group, all shuffled
 * together. Returns [group, position in group] pairs.
 */
export function pickBalanced(groupSizes: readonly number[], samples: number, seed: number | undefined, stream: string): [number, number][] {
  const total = groupSizes.reduce((a, b) => a + b, 0);
  const counts = samples === total ? [...groupSizes] : apportion(samples, groupSizes.map((s) => s / total));
  const picks: [number, number][] = [];
  if (seed === undefined) {
    groupSizes.forEach((_, g) => {
      for (let i = 0; i < counts[g]; i++) picks.push([g, i]);
    });
    return picks;
  }
  const rng = createRng(deriveSeed(checkSeed(seed), stream));
  groupSizes.forEach((size, g) => {
    const order = shuffle(Array.from({ length: size }, (_, i) => i), rng);
    for (let i = 0; i < counts[g]; i++) picks.push([g, order[i]]);
  });
  return shuffle(picks, rng);
}
