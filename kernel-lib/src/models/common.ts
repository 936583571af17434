/** Builder helpers shared by the zoo: seeded initializers, dense layers, dropout, the head. */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../repro/seed';
import type { HeadConfig } from './config';
import { SeededDropout } from './layers';

/*
 * Seeds: every random initializer takes deriveSeed(seed, 'init', layerName, weightName), and every
 * dropout layer deriveSeed(seed, 'dropout', layerName). Layer names are fixed by the config's
 * structure (dense_1, block_2_attention, ...), so a weight's seed is the same in every process
 * and adding a layer does not shift the others' draws.
 */
export interface BuildContext {
  seed: number;
  dropout: number;
}

export type SymbolicTensor = tf.SymbolicTensor;

export function initSeed(ctx: BuildContext, layer: string, weight: string): number {
  return deriveSeed(ctx.seed, 'init', layer, weight);
}

export function glorotUniform(ctx: BuildContext, layer: string, weight = 'kernel'): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: initSeed(ctx, layer, weight) });
}

/** A Dense layer with a seeded Glorot-uniform kernel and a zero bias (Keras's defaults, seeded). */
export function dense(
  ctx: BuildContext,
  name: string,
  units: number,
  activation?: 'relu' | 'tanh' | 'gelu' | 'linear',
): tf.layers.Layer {
  return tf.layers.dense({
    name,
    units,
    activation: activation ?? 'linear',
    kernelInitializer: glorotUniform(ctx, name),
    biasInitializer: 'zeros',
  });
}

/** SeededDropout after `x` when the config asks for dropout; `x` itself otherwise. */
export function maybeDropout(ctx: BuildContext, name: string, x: SymbolicTensor): SymbolicTensor {
  if (ctx.dropout === 0) return x;
  const layer = new SeededDropout({ name, rate: ctx.dropout, seed: deriveSeed(ctx.seed, 'dropout', name) });
  return layer.apply(x) as SymbolicTensor;
}

/** Logits for classification (the losses take logits), linear values for regression: no activation either way. */
export function head(ctx: BuildContext, config: Required<HeadConfig>, x: SymbolicTensor): SymbolicTensor {
  return dense(ctx, 'head', config.outputs).apply(x) as SymbolicTensor;
}
