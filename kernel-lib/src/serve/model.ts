/** The one model a server serves: its name and version as clients address it, and its input contract as columns. */
import type { ReadyModel } from '../model-package';
import type { RuntimeName } from './runtime';
import { rawColumns } from '../model-package/spec';

export interface Served {
  /** The registered model's name, or `run-ID` when a run id was served. */
  name: string;
  /** The registered version, or the run id when a run id was served. */
  version: number;
  runId: number;
  model: ReadyModel;
  /** The forward pass answering: metadata tells clients which. */
  runtime: RuntimeName;
}

/** One named input a request gives per example: a table column, the text, or the whole tensor. */
export interface InputColumn {
  name: string;
  /** number: a finite number (or boolean); category: a string, number or boolean; text: a string. */
  kind: 'number' | 'category' | 'text' | 'tensor';
  /** Per-example shape (empty for a scalar). */
  shape: number[];
}

/** The inputs a request must carry, in the order metadata lists them. */
export function inputColumns(served: Served): InputColumn[] {
  const spec = served.model.input;
  if (spec.kind === 'text') return [{ name: 'text', kind: 'text', shape: [] }];
  if (spec.kind === 'tensor') return [{ name: 'input', kind: 'tensor', shape: spec.shape }];
  // Columns an encoder was fitted on hold categories; every other raw column feeds the matrix as a number.
  const categorical = new Set((spec.pipeline?.steps ?? []).filter((s) => s.kind === 'onehot' || s.kind === 'label').flatMap((s) => s.columns));
  return [...rawColumns(spec)].map((name) => ({ name, kind: categorical.has(name) ? 'category' : 'number', shape: [] }));
}

/** The named outputs of a prediction and each one's per-example shape. */
export function outputColumns(served: Served): { name: string; kind: 'number' | 'text'; shape: number[] }[] {
  const { model } = served;
  const units = model.model.outputs[0].shape[model.model.outputs[0].shape.length - 1] ?? 1;
  if (model.task === 'classification') {
    return [
      { name: 'label', kind: 'text', shape: [] },
      { name: 'confidence', kind: 'number', shape: [] },
      { name: 'probabilities', kind: 'number', shape: [model.labels?.length ?? units] },
    ];
  }
  return units === 1 ? [{ name: 'value', kind: 'number', shape: [] }] : [{ name: 'values', kind: 'number', shape: [units] }];
}
