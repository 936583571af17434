/** "Did you mean ...?" for error messages: the known name closest to a typo. */
import { LabbookError } from './errors';

/**
 * The candidate within `maxDistance` edits of `word` (case-insensitive), if any. The default
 * scales with the word's length, so a short word is not "corrected" into another (`lr` is not
 * a typo of `id`).
 */
export function closestName(word: string, candidates: readonly string[], maxDistance = Math.min(2, Math.floor(word.length / 3))): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * Refuses the first key of `options` not in `known`, naming every accepted key and the closest
 * one (or `hints[key]`, a fix for a key people are known to try): the one message for an unknown
 * option wherever labbook takes an options object.
 */
export function refuseUnknownKeys(what: string, options: object, known: readonly string[], hints: { [key: string]: string } = {}): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const guess = closestName(key, known);
    const fix = Object.hasOwn(hints, key) ? hints[key] : guess ? `Did you mean \`${guess}\`?` : 'Remove it.';
    throw new LabbookError('INVALID_ARGUMENT', `Unknown option \`${key}\` for ${what}: expected one of ${known.join(', ')}, received \`${key}\`. ${fix}`);
  }
}
