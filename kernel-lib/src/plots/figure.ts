/** The figure type (plotly.js JSON) and what every plot shares: palette, axes, argument checks. */
import { invalidArgument } from '../errors';
import { closestName } from '../suggest';

/** A plotly.js figure as JSON: `Plotly.newPlot(el, figure.data, figure.layout)`. */
export interface Figure {
  data: object[];
  layout: object;
}

/** plotly's own default sequence (D3 category10), so runs keep their colour across every chart. */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'] as const;

/**
 * Ten more, distinct from the first ten and from each other (from plotly's Dark24), so up to 20
 * runs never share a colour; past 20, charts colour by group (experiment) instead of by run.
 */
export const PALETTE_20 = [...PALETTE, '#0d2a63', '#fb00d1', '#00a08b', '#b68100', '#750d86', '#6c7c32', '#862a16', '#a777f1', '#222a2a', '#1ca71c'] as const;

export function colorAt(index: number): string {
  return PALETTE_20[index % PALETTE_20.length];
}

/** Runs past this many are coloured and listed in legends by group rather than one by one. */
export const MAX_DISTINCT = PALETTE_20.length;

/** The base layout: a title, a white template-free look, the font size notebooks read well. */
export function baseLayout(title: string, extra: object = {}): { [key: string]: unknown } {
  return {
    title: { text: title },
    font: { size: 12 },
    margin: { l: 60, r: 20, t: 50, b: 50 },
    hovermode: 'closest',
    ...extra,
  };
}

export function axis(title: string, extra: object = {}): object {
  return { title: { text: title }, zeroline: false, ...extra };
}

/** The error for a name that is not among `known`, with a "did you mean" when one is close. */
export function unknownName(option: string, what: string, received: unknown, known: readonly string[]): Error {
  const list = known.length ? `one of ${known.slice(0, 12).map((k) => JSON.stringify(k)).join(', ')}${known.length > 12 ? ', ...' : ''}` : `${what} (these runs have none)`;
  const guess = typeof received === 'string' ? closestName(received, known) : undefined;
  return invalidArgument(option, list, received, guess ? `Did you mean ${JSON.stringify(guess)}?` : `Use ${what} these runs logged.`);
}

export function checkString(option: string, value: unknown, expected: string): string {
  if (typeof value !== 'string' || value === '') throw invalidArgument(option, expected, value);
  return value;
}

export function checkOptions(value: unknown, name = 'options'): { [key: string]: unknown } {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(name, 'an options object', value);
  return value as { [key: string]: unknown };
}

/** null for anything plotly cannot place (undefined, NaN, infinities): plotly draws a gap there. */
export function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Higher is better for accuracy-like names; lower for losses and errors (as early stopping guesses). */
export function higherIsBetter(metric: string): boolean {
  return /acc|auc|f1|precision|recall|r2|score/i.test(metric);
}
