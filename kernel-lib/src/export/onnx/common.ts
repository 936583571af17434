/** What every layer converter shares: its signature, the layer's config and weights, activations and refusals. */
import type * as tf from '@tensorflow/tfjs';
import { LabbookError } from '../../errors';
import type { OnnxGraph } from './graph';

/** A layer's input shapes as tfjs infers them (batch first, null where unknown). */
export type Shape = (number | null)[];

/** Adds the nodes computing `layer` from its inputs' value names; returns the output's value name. */
export type LayerConverter = (g: OnnxGraph, layer: tf.layers.Layer, inputs: string[], shapes: Shape[]) => string;

export type Config = { [key: string]: unknown };

export function configOf(layer: tf.layers.Layer): Config {
  return layer.getConfig() as Config;
}

/** The layer's weights by their name inside the layer ('kernel', 'query/bias', ...), with shapes. */
export function weightsOf(layer: tf.layers.Layer): Map<string, { values: Float32Array; shape: number[] }> {
  const out = new Map<string, { values: Float32Array; shape: number[] }>();
  for (const w of layer.weights) {
    const full = w.originalName ?? w.name;
    // 'dense_1/kernel' or 'block_1_attention/query/kernel': drop the layer's own prefix.
    const local = full.startsWith(`${layer.name}/`) ? full.slice(layer.name.length + 1) : full.split('/').pop()!;
    out.set(local.replace(/_\d+$/, ''), { values: w.read().dataSync() as Float32Array, shape: [...w.shape] as number[] });
  }
  return out;
}

export function need<T>(value: T | undefined, layer: tf.layers.Layer, what: string): T {
  if (value === undefined) throw refuse(layer, `a layer with ${what}`, 'none');
  return value;
}

export function refuse(layer: tf.layers.Layer, expected: string, received: string): LabbookError {
  return new LabbookError(
    'MODEL_FORMAT',
    `Cannot export layer "${layer.name}" (${layer.getClassName()}) to ONNX: expected ${expected}, received ${received}. Export this model with exportTfjs() instead, or change the layer.`,
  );
}

/** tfjs's activation (by its config name) applied to x; linear adds nothing. */
export function activation(g: OnnxGraph, layer: tf.layers.Layer, x: string, name: unknown): string {
  const stem = `${layer.name}/${String(name)}`;
  switch (name ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return g.op('Relu', [x], stem);
    case 'tanh':
      return g.op('Tanh', [x], stem);
    case 'sigmoid':
      return g.op('Sigmoid', [x], stem);
    case 'softmax':
      return g.op('Softmax', [x], stem, { axis: -1 });
    case 'elu':
      return g.op('Elu', [x], stem, { alpha: { float: 1 } });
    case 'softplus':
      return g.op('Softplus', [x], stem);
    case 'gelu': {
      // tfjs's 'gelu' is the exact one: x * 0.5 * (1 + erf(x / sqrt(2))), in that order of operations.
      const erf = g.op('Erf', [g.op('Div', [x, g.floats(`${stem}/sqrt2`, [Math.SQRT2], [])], `${stem}/scaled`)], `${stem}/erf`);
      const cdf = g.op('Mul', [g.floats(`${stem}/half`, [0.5], []), g.op('Add', [g.floats(`${stem}/one`, [1], []), erf], `${stem}/one_plus`)], `${stem}/cdf`);
      return g.op('Mul', [x, cdf], stem);
    }
    default:
      throw refuse(layer, `an activation among ${ACTIVATIONS.join(', ')}`, JSON.stringify(name));
  }
}

export const ACTIVATIONS = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax', 'elu', 'softplus', 'gelu'];
