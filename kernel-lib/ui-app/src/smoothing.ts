/** TensorBoard's smoothing: a debiased exponential moving average, so early points are not pulled toward 0. */

/**
 * Smooths `values` with `weight` in [0, 1): 0 returns them as they are. Nulls and non-finite values
 * (NaN logged) pass through and do not disturb the average, and a constant series stays exactly
 * constant (TensorBoard does the same, as the debiasing would otherwise add float noise).
 */
export function smooth(values: readonly (number | null)[], weight: number): (number | null)[] {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (weight <= 0 || finite.every((v) => v === finite[0])) return values.slice();
  let last = 0;
  let count = 0;
  return values.map((value) => {
    if (value === null || !Number.isFinite(value)) return value;
    last = last * weight + (1 - weight) * value;
    count++;
    // The average starts at 0; dividing by the weight mass so far removes that start's pull.
    return weight === 1 ? last : last / (1 - weight ** count);
  });
}
