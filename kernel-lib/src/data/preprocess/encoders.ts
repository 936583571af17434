/** Category encoders: OneHotEncoder (one 0/1 column per category) and LabelEncoder (category -> int32 code). */
import type { DataFrame } from 'danfojs-node';
import { invalidArgument, LabbookError, describeValue } from '../../errors';
import { mapColumns, type Cell, type Column } from '../frame';
import {
  checkState,
  checkUnknown,
  distinctSorted,
  fitColumns,
  isMissing,
  notFitted,
  requireColumns,
  type Category,
  type LabelEncoderState,
  type OneHotEncoderState,
  type Transformer,
  type UnknownPolicy,
} from './transformer';

interface Fitted {
  columns: string[];
  categories: Category[][];
}

/** Categories as keys that tell 1 from '1' and true from 'true'. */
function key(value: Cell | undefined): string {
  return `${typeof value}:${String(value)}`;
}

abstract class CategoryEncoder {
  protected state?: Fitted;
  protected readonly unknown: UnknownPolicy;
  abstract readonly kind: 'onehot' | 'label';

  constructor(options: { unknown?: UnknownPolicy } = {}) {
    this.unknown = checkUnknown(options.unknown ?? 'error');
  }

  get fitted(): boolean {
    return this.state !== undefined;
  }

  /** Learns each column's categories: its distinct non-missing values, sorted so codes are stable. */
  fit(frame: DataFrame, columns: string[]): this {
    const read = fitColumns(frame, columns);
    this.state = { columns: [...columns], categories: read.map(distinctSorted) };
    return this;
  }

  fitTransform(frame: DataFrame, columns: string[]): DataFrame {
    return this.fit(frame, columns).transform(frame);
  }

  /** The categories learnt for a column (the only one when omitted), in code order. */
  categoriesOf(column?: string): Category[] {
    const state = this.require();
    const i = column === undefined ? 0 : state.columns.indexOf(column);
    if (i === -1 || (column === undefined && state.columns.length !== 1)) {
      throw invalidArgument('column', `one of ${state.columns.map((c) => `\`${c}\``).join(', ')}`, column);
    }
    return [...state.categories[i]];
  }

  abstract transform(frame: DataFrame): DataFrame;

  protected require(): Fitted {
    if (!this.state) throw notFitted(this.kind);
    return this.state;
  }

  /** code of each value in the column's categories; -1 for unknown or missing under 'ignore'. */
  protected codes(column: Column, categories: Category[]): number[] {
    const index = new Map(categories.map((c, i) => [key(c), i]));
    return column.values.map((value, row) => {
      const code = index.get(key(value));
      if (code !== undefined) return code;
      if (this.unknown === 'ignore') return -1;
      throw new LabbookError(
        'INVALID_ARGUMENT',
        `Invalid value for \`${column.name}\` at row ${row}: expected one of ${categories.map((c) => describeValue(c)).join(', ')} (the categories seen when fitting), ` +
          `received ${isMissing(value) ? 'a missing value' : describeValue(value)}. Fit on data that has it, fill missing values, or create the encoder with { unknown: 'ignore' }.`,
      );
    });
  }

  protected restore(state: unknown, kind: 'onehot' | 'label', field: 'categories' | 'classes'): void {
    const s = checkState(state, kind, [field]);
    const lists = s[field] as unknown[];
    for (const list of lists) {
      if (!Array.isArray(list) || list.some((c) => !['string', 'number', 'boolean'].includes(typeof c))) {
        throw invalidArgument(`state.${field}`, 'arrays of strings, numbers or booleans', list);
      }
    }
    this.state = { columns: [...(s.columns as string[])], categories: lists.map((l) => [...(l as Category[])]) };
  }
}

/**
 * Replaces each fitted column by one float32 0/1 column per category, named `<column>_<category>`,
 * in category order. An unknown (or missing) value is an error, or all zeros with unknown: 'ignore'.
 */
export class OneHotEncoder extends CategoryEncoder implements Transformer {
  readonly kind = 'onehot' as const;

  transform(frame: DataFrame): DataFrame {
    const state = this.require();
    requireColumns(frame, state.columns);
    return mapColumns(frame, (column) => {
      const i = state.columns.indexOf(column.name);
      if (i === -1) return undefined;
      const categories = state.categories[i];
      const codes = this.codes(column, categories);
      return categories.map((category, k) => ({
        name: `${column.name}_${String(category)}`,
        dtype: 'float32' as const,
        values: codes.map((code) => (code === k ? 1 : 0)),
      }));
    });
  }

  /** The output column names, in order, for each fitted column. */
  outputColumns(): string[] {
    const state = this.require();
    return state.columns.flatMap((c, i) => state.categories[i].map((category) => `${c}_${String(category)}`));
  }

  toJSON(): OneHotEncoderState {
    const s = this.require();
    return { kind: 'onehot', version: 1, columns: [...s.columns], categories: s.categories.map((c) => [...c]), unknown: this.unknown };
  }

  static fromJSON(state: OneHotEncoderState): OneHotEncoder {
    const out = new OneHotEncoder({ unknown: checkUnknown(state?.unknown) });
    out.restore(state, 'onehot', 'categories');
    return out;
  }
}

/**
 * Replaces each fitted column by int32 codes 0..k-1 of its sorted classes (as class labels for
 * toTensors). An unknown (or missing) value is an error, or -1 with unknown: 'ignore'.
 */
export class LabelEncoder extends CategoryEncoder implements Transformer {
  readonly kind = 'label' as const;

  transform(frame: DataFrame): DataFrame {
    const state = this.require();
    requireColumns(frame, state.columns);
    return mapColumns(frame, (column) => {
      const i = state.columns.indexOf(column.name);
      if (i === -1) return undefined;
      return [{ name: column.name, dtype: 'int32', values: this.codes(column, state.categories[i]) }];
    });
  }

  /** The classes of a column (the only one when omitted); code i is classes[i]. */
  classes(column?: string): Category[] {
    return this.categoriesOf(column);
  }

  /** Codes back to their classes (null for -1). */
  inverse(codes: ArrayLike<number>, column?: string): (Category | null)[] {
    const classes = this.categoriesOf(column);
    return Array.from(codes, (code) => {
      if (code === -1) return null;
      if (!Number.isInteger(code) || code < 0 || code >= classes.length) throw invalidArgument('code', `an integer from 0 to ${classes.length - 1}`, code);
      return classes[code];
    });
  }

  toJSON(): LabelEncoderState {
    const s = this.require();
    return { kind: 'label', version: 1, columns: [...s.columns], classes: s.categories.map((c) => [...c]), unknown: this.unknown };
  }

  static fromJSON(state: LabelEncoderState): LabelEncoder {
    const out = new LabelEncoder({ unknown: checkUnknown(state?.unknown) });
    out.restore(state, 'label', 'classes');
    return out;
  }
}
