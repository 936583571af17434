/** How many rows each split gets, overall and per class: largest-remainder rounding, no randomness. */

/**
 * Integers summing to `total`, as close as rounding allows to total * weights[i] (weights sum to
 * 1). Leftover units go to the largest fractional parts, ties to the earlier entry. Every entry
 * with a positive weight gets at least one unit when `total` allows it.
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  const exact = weights.map((w) => total * w);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % byRemainder.length, left--) counts[byRemainder[k].i]++;
  for (let i = 0; i < counts.length; i++) {
    if (weights[i] > 0 && counts[i] === 0) {
      const donor = argmax(counts);
      if (counts[donor] > 1) {
        counts[donor]--;
        counts[i]++;
      }
    }
  }
  return counts;
}

/**
 * A classes x splits table of counts whose rows sum to the class sizes and whose columns sum to
 * the split totals, each split taking its share of every class. Splits are filled in order, each
 * from what the earlier ones left, proportionally to it; a class with at least as many rows as
 * there are splits is given one row in every split when the split is big enough to allow it.
 */
export function apportionClasses(classSizes: readonly number[], splitTotals: readonly number[]): number[][] {
  const remaining = [...classSizes];
  const table = classSizes.map(() => splitTotals.map(() => 0));
  for (let s = 0; s < splitTotals.length; s++) {
    const left = remaining.reduce((a, b) => a + b, 0);
    const splitsAfter = splitTotals.length - s - 1;
    let counts: number[];
    if (splitsAfter === 0) {
      counts = [...remaining];
    } else {
      counts = apportion(splitTotals[s], remaining.map((r) => (left === 0 ? 0 : r / left)));
      // Keep one row of each class for each later split, and give this split one of each class,
      // moving rows between classes so the split's total stays exact.
      const cap = (k: number) => remaining[k] - Math.min(splitsAfter, Math.max(0, remaining[k] - 1));
      for (let k = 0; k < counts.length; k++) {
        while (counts[k] > cap(k) && moveOne(counts, k, cap, true));
        if (counts[k] === 0 && remaining[k] > splitsAfter) moveOne(counts, k, cap, false);
      }
    }
    for (let k = 0; k < counts.length; k++) {
      table[k][s] = counts[k];
      remaining[k] -= counts[k];
    }
  }
  return table;
}

/**
 * Moves one unit out of class k (give) to the class with the most room under its cap, or into
 * class k from the class with the most units (keeping it at one or more). False when none can.
 */
function moveOne(counts: number[], k: number, cap: (k: number) => number, give: boolean): boolean {
  let best = -1;
  let bestScore = 0;
  for (let j = 0; j < counts.length; j++) {
    if (j === k) continue;
    const score = give ? cap(j) - counts[j] : counts[j] - 1;
    if (score > bestScore) {
      best = j;
      bestScore = score;
    }
  }
  if (best === -1) return false;
  counts[k] += give ? -1 : 1;
  counts[best] += give ? 1 : -1;
  return true;
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
