/** Pipeline: preprocessing steps fitted in order on the training frame, stored as one JSON state. */
import type { DataFrame } from 'danfojs-node';
import { invalidArgument } from '../../errors';
import { LabelEncoder, OneHotEncoder } from './encoders';
import { MinMaxScaler, Standardizer } from './scalers';
import type { Transformer, TransformerState } from './transformer';

export type PipelineState = { kind: 'pipeline'; version: 1; steps: TransformerState[] };

interface Step {
  transformer: Transformer;
  columns?: string[];
}

/**
 * Steps applied in order; `fit` fits each on the output of the ones before it (so a scaler after
 * a one-hot encoder sees the encoded columns). Store `toJSON()` with the run
 * (`run.logArtifact('preprocessing', pipeline.toJSON())`) and restore it with `Pipeline.fromJSON`.
 */
export class Pipeline {
  private readonly steps: Step[] = [];

  /** Adds a step to fit on `columns`, or an already fitted transformer (its columns are its own). */
  add(transformer: Transformer, columns?: string[]): this {
    if (!transformer || typeof transformer.fit !== 'function' || typeof transformer.transform !== 'function') {
      throw invalidArgument('transformer', 'a Standardizer, MinMaxScaler, OneHotEncoder or LabelEncoder', transformer);
    }
    if (columns === undefined && !transformer.fitted) {
      throw invalidArgument('columns', 'the columns to fit this step on', columns, 'Pass them: pipeline.add(new Standardizer(), ["x", "y"]).');
    }
    this.steps.push(columns === undefined ? { transformer } : { transformer, columns: [...columns] });
    return this;
  }

  get fitted(): boolean {
    return this.steps.every((s) => s.transformer.fitted);
  }

  get length(): number {
    return this.steps.length;
  }

  /** Fits every step that has columns, in order, on the training frame. */
  fit(train: DataFrame): this {
    this.fitTransform(train);
    return this;
  }

  fitTransform(train: DataFrame): DataFrame {
    let frame = train;
    for (const step of this.steps) {
      if (step.columns) step.transformer.fit(frame, step.columns);
      frame = step.transformer.transform(frame);
    }
    return frame;
  }

  /**
   * Applies every step in order. `without` names columns the frame deliberately lacks (the target
   * at prediction time): steps fitted only on those are skipped. Skipping is asked for, never
   * guessed from absence, so a feature column missing by mistake is still an error.
   */
  transform(frame: DataFrame, options: { without?: readonly string[] } = {}): DataFrame {
    const without = options?.without ?? [];
    if (!Array.isArray(without) || without.some((c) => typeof c !== 'string')) {
      throw invalidArgument('without', 'an array of column names', without);
    }
    let out = frame;
    for (const step of this.steps) {
      const columns = step.transformer.toJSON().columns;
      const absent = columns.filter((c) => without.includes(c));
      if (absent.length === columns.length) continue;
      if (absent.length > 0) {
        throw invalidArgument(
          'without',
          `columns that whole steps were fitted on (a ${step.transformer.kind} step was fitted on ${columns.map((c) => `\`${c}\``).join(', ')})`,
          without,
          'Fit the target in a step of its own: pipeline.add(new LabelEncoder(), [target]).',
        );
      }
      out = step.transformer.transform(out);
    }
    return out;
  }

  toJSON(): PipelineState {
    return { kind: 'pipeline', version: 1, steps: this.steps.map((s) => s.transformer.toJSON()) };
  }

  static fromJSON(state: PipelineState): Pipeline {
    if (!state || typeof state !== 'object' || state.kind !== 'pipeline' || state.version !== 1 || !Array.isArray(state.steps)) {
      throw invalidArgument('state', 'a pipeline state with version 1 (from toJSON())', state);
    }
    const pipeline = new Pipeline();
    for (const step of state.steps) pipeline.add(transformerFromJSON(step));
    return pipeline;
  }
}

/** Any step's state back to a fitted transformer. */
export function transformerFromJSON(state: TransformerState): Transformer {
  switch (state?.kind) {
    case 'standardizer':
      return Standardizer.fromJSON(state);
    case 'minmax':
      return MinMaxScaler.fromJSON(state);
    case 'onehot':
      return OneHotEncoder.fromJSON(state);
    case 'label':
      return LabelEncoder.fromJSON(state);
    default:
      throw invalidArgument('state.kind', "'standardizer', 'minmax', 'onehot' or 'label'", (state as { kind?: unknown } | null)?.kind);
  }
}
