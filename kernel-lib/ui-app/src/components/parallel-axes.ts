/** The axes of a parallel-coordinates plot: numeric values on a linear or log scale, anything else as ordered categories. */
import type { Json } from '../api';
import { formatNumber, formatValue } from '../format';

export interface Axis {
  label: string;
  /** Where a value sits, 0 (bottom) to 1 (top); null when the line has no value on this axis. */
  position(value: Json | undefined): number | null;
  ticks: { at: number; text: string }[];
}

const MAX_CATEGORY_TICKS = 12;

function numericAxis(label: string, numbers: number[], logScale: boolean | undefined): Axis {
  const lo = Math.min(...numbers);
  const hi = Math.max(...numbers);
  // Learning rates and the like span decades: a linear axis would crowd them at the bottom.
  const log = lo > 0 && (logScale ?? hi / lo >= 100);
  const scale = log ? Math.log10 : (v: number) => v;
  const inverse = log ? (v: number) => 10 ** v : (v: number) => v;
  const a = scale(lo);
  const span = scale(hi) - a;
  const ticks = span === 0 ? [{ at: 0.5, text: formatNumber(lo) }] : [0, 0.25, 0.5, 0.75, 1].map((at) => ({ at, text: formatNumber(inverse(a + at * span)) }));
  return {
    label: log ? `${label} (log)` : label,
    position: (value) => (typeof value !== 'number' || !Number.isFinite(value) ? null : span === 0 ? 0.5 : (scale(value) - a) / span),
    ticks,
  };
}

/** One collator for every comparison: localeCompare with options builds a new one each call (~40 ms for 100 values). */
const byNaturalOrder = new Intl.Collator(undefined, { numeric: true });

function categoryAxis(label: string, values: Json[], choices: readonly Json[] | undefined): Axis {
  const seen = [...new Set(values.map((v) => formatValue(v)))].sort(byNaturalOrder.compare);
  const declared = (choices ?? []).map((c) => formatValue(c));
  const names = [...new Set([...declared, ...seen])];
  const at = (index: number) => (names.length === 1 ? 0.5 : index / (names.length - 1));
  const every = Math.ceil(names.length / MAX_CATEGORY_TICKS);
  return {
    label,
    position: (value) => (value === undefined || value === null ? null : at(names.indexOf(formatValue(value)))),
    ticks: names.map((text, i) => ({ at: at(i), text })).filter((_, i) => i % every === 0),
  };
}

/** What a sweep's space says about an axis: the choices of a choice param (all of them, in order), a log scale. */
export interface AxisHint {
  choices?: readonly Json[];
  log?: boolean;
}

/**
 * Numeric when every value present is a finite number, unless `hint.choices` makes it categorical.
 * null (a run without the key) is missing there, not a category. Without `hint.log`, values spanning decades get a log scale.
 */
export function axisOf(label: string, values: readonly (Json | undefined)[], hint: AxisHint = {}): Axis {
  const present = values.filter((v): v is Json => v !== undefined && v !== null);
  if (!hint.choices && present.length > 0 && present.every((v) => typeof v === 'number' && Number.isFinite(v))) return numericAxis(label, present as number[], hint.log);
  return categoryAxis(label, present, hint.choices);
}
