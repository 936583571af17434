/** Parameter counts and a short plain-text summary of a tfjs model (no printing here). */
import type * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors';

/** All parameters, trainable and not, as Keras's count_params() counts them. */
export function parameterCount(model: tf.LayersModel): number {
  assertModel(model);
  return model.weights.reduce((sum, w) => sum + size(w.shape), 0);
}

/**
 * One line per layer (name, type, output shape, parameters) and the totals, e.g.
 *   dense_1   Dense   [null, 128]   100,480
 */
export function describeModel(model: tf.LayersModel): string {
  assertModel(model);
  const rows = [['Layer', 'Type', 'Output shape', 'Params']];
  for (const layer of model.layers) {
    const params = layer.weights.reduce((sum, w) => sum + size(w.shape), 0);
    rows.push([layer.name, layer.getClassName(), formatShape(layer), params.toLocaleString('en-US')]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) =>
    r.map((cell, c) => (c === r.length - 1 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  '),
  );
  const total = parameterCount(model);
  const trainable = model.trainableWeights.reduce((sum, w) => sum + size(w.shape), 0);
  lines.splice(1, 0, '-'.repeat(lines[0].length));
  lines.push(
    `Total params: ${total.toLocaleString('en-US')} ` +
      `(trainable ${trainable.toLocaleString('en-US')}, non-trainable ${(total - trainable).toLocaleString('en-US')})`,
  );
  return lines.join('\n');
}

function formatShape(layer: tf.layers.Layer): string {
  let shape: tf.Shape | tf.Shape[];
  try {
    shape = layer.outputShape;
  } catch {
    return 'multiple'; // a layer applied at several places in the graph has no single shape
  }
  const one = (s: tf.Shape): string => `[${s.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
  return Array.isArray(shape[0]) ? (shape as tf.Shape[]).map(one).join(', ') : one(shape as tf.Shape);
}

/** Weights always have fully known shapes (tfjs types them as Shape, which allows null). */
function size(shape: readonly (number | null)[]): number {
  return shape.reduce<number>((a, b) => a * (b ?? 0), 1);
}

function assertModel(model: unknown): asserts model is tf.LayersModel {
  const m = model as Partial<tf.LayersModel> | null;
  if (m === null || typeof m !== 'object' || !Array.isArray(m.weights) || !Array.isArray(m.layers)) {
    throw invalidArgument('model', 'a tfjs LayersModel (tf.model() or buildModel())', model);
  }
}
