/** Numeric scalers: Standardizer (zero mean, unit variance) and MinMaxScaler (to 0..1). */
import type { DataFrame } from 'danfojs-node';
import { invalidArgument } from '../../errors';
import { mapColumns } from '../frame';
import { checkState, fitColumns, notFitted, numbers, requireColumns, type MinMaxScalerState, type StandardizerState, type Transformer } from './transformer';

interface Affine {
  columns: string[];
  /** What is subtracted (mean or minimum). */
  shift: number[];
  /** What the difference is divided by; 1 for a constant column, never 0. */
  scale: number[];
}

/** The shared part: out = (x - shift) / scale per column, float32, NaN stays NaN. */
abstract class AffineScaler {
  protected state?: Affine;
  abstract readonly kind: 'standardizer' | 'minmax';
  protected abstract statistics(values: number[], column: string): { shift: number; scale: number };

  get fitted(): boolean {
    return this.state !== undefined;
  }

  fit(frame: DataFrame, columns: string[]): this {
    const read = fitColumns(frame, columns);
    const shift: number[] = [];
    const scale: number[] = [];
    for (const column of read) {
      const values = numbers(column, this.kind).filter((v) => !Number.isNaN(v));
      if (values.length === 0) throw invalidArgument(column.name, `at least one non-missing value to fit the ${this.kind}`, 'only missing values');
      const s = this.statistics(values, column.name);
      shift.push(s.shift);
      scale.push(s.scale);
    }
    this.state = { columns: [...columns], shift, scale };
    return this;
  }

  transform(frame: DataFrame): DataFrame {
    const state = this.state;
    if (!state) throw notFitted(this.kind);
    requireColumns(frame, state.columns);
    return mapColumns(frame, (column) => {
      const i = state.columns.indexOf(column.name);
      if (i === -1) return undefined;
      const values = numbers(column, this.kind).map((v) => (v - state.shift[i]) / state.scale[i]);
      return [{ name: column.name, dtype: 'float32', values }];
    });
  }

  fitTransform(frame: DataFrame, columns: string[]): DataFrame {
    return this.fit(frame, columns).transform(frame);
  }

  protected requireState(): Affine {
    if (!this.state) throw notFitted(this.kind);
    return this.state;
  }
}

function constant(values: number[]): boolean {
  // Exact test: a computed variance of a constant column can be 1e-34 from rounding, and
  // dividing by its square root would blow values up instead of leaving them at 0.
  return values.every((v) => v === values[0]);
}

/**
 * (x - mean) / std per column, std the population standard deviation (as scikit-learn's
 * StandardScaler); a constant column is only centred (scale 1). Missing values are skipped when
 * fitting and stay NaN.
 */
export class Standardizer extends AffineScaler implements Transformer {
  readonly kind = 'standardizer' as const;

  protected statistics(values: number[]): { shift: number; scale: number } {
    let sum = 0;
    for (const v of values) sum += v;
    const mean = sum / values.length;
    let squares = 0;
    for (const v of values) squares += (v - mean) * (v - mean);
    const std = Math.sqrt(squares / values.length);
    if (constant(values) || std === 0) return { shift: values[0], scale: 1 };
    return { shift: mean, scale: std };
  }

  toJSON(): StandardizerState {
    const s = this.requireState();
    return { kind: 'standardizer', version: 1, columns: [...s.columns], mean: [...s.shift], scale: [...s.scale] };
  }

  static fromJSON(state: StandardizerState): Standardizer {
    const s = checkState(state, 'standardizer', ['mean', 'scale']);
    const out = new Standardizer();
    out.state = restore(s, 'mean');
    return out;
  }
}

/** (x - min) / (max - min) per column, into 0..1 on the fitted data; a constant column maps to 0. */
export class MinMaxScaler extends AffineScaler implements Transformer {
  readonly kind = 'minmax' as const;

  protected statistics(values: number[]): { shift: number; scale: number } {
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { shift: min, scale: max > min ? max - min : 1 };
  }

  toJSON(): MinMaxScalerState {
    const s = this.requireState();
    return { kind: 'minmax', version: 1, columns: [...s.columns], min: [...s.shift], scale: [...s.scale] };
  }

  static fromJSON(state: MinMaxScalerState): MinMaxScaler {
    const s = checkState(state, 'minmax', ['min', 'scale']);
    const out = new MinMaxScaler();
    out.state = restore(s, 'min');
    return out;
  }
}

function restore(s: Record<string, unknown>, shiftKey: string): Affine {
  const shift = s[shiftKey] as unknown[];
  const scale = s.scale as unknown[];
  if (shift.some((v) => typeof v !== 'number' || !Number.isFinite(v))) throw invalidArgument(`state.${shiftKey}`, 'finite numbers', shift);
  if (scale.some((v) => typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))) throw invalidArgument('state.scale', 'positive finite numbers', scale);
  return { columns: [...(s.columns as string[])], shift: [...(shift as number[])], scale: [...(scale as number[])] };
}
