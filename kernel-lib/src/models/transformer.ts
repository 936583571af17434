/** The Transformer encoder builder: embedding, positional encoding, post-norm encoder blocks, pooling, head. */
import * as tf from '@tensorflow/tfjs';
import { dense, head, initSeed, maybeDropout, type BuildContext, type SymbolicTensor } from './common';
import type { TransformerConfig } from './config';
import { LayerNorm, MultiHeadAttention, PaddingMask, PositionalEncoding, SequencePooling, TokenEmbedding } from './layers';

/** LayerNormalization epsilon: PyTorch's nn.Transformer value (the paper gives none). */
const NORM_EPSILON = 1e-5;

/*
 * Vaswani et al. 2017, encoder only: x = LayerNorm(x + Dropout(Sublayer(x))) for self-attention
 * then the position-wise feed-forward network (dense-relu-dense), dropout also on the embeddings
 * + positional encoding (section 5.4). The input is token ids as float32 [batch, maxLen] (int32
 * tensors are cast on the way in); id 0 is padding, masked out of attention keys and mean pooling.
 */
export function buildTransformer(config: Required<TransformerConfig>, ctx: BuildContext): tf.LayersModel {
  const ids = tf.input({ shape: [config.maxLen], name: 'tokens' });
  const mask = new PaddingMask({ name: 'padding_mask' }).apply(ids) as SymbolicTensor;
  const embedding = new TokenEmbedding({
    name: 'embedding',
    vocabSize: config.vocabSize,
    outputDim: config.dModel,
    seed: initSeed(ctx, 'embedding', 'embeddings'),
  });
  let x = embedding.apply(ids) as SymbolicTensor;
  x = new PositionalEncoding({ name: 'positional_encoding', scale: true }).apply(x) as SymbolicTensor;
  x = maybeDropout(ctx, 'embedding_dropout', x);
  for (let i = 1; i <= config.layers; i++) x = encoderBlock(ctx, config, `block_${i}`, x, mask);
  const pooled = new SequencePooling({ name: 'pooling', mode: config.pooling }).apply([x, mask]) as SymbolicTensor;
  return tf.model({ inputs: ids, outputs: head(ctx, config, pooled), name: 'transformer' });
}

function encoderBlock(
  ctx: BuildContext,
  config: Required<TransformerConfig>,
  name: string,
  x: SymbolicTensor,
  mask: SymbolicTensor,
): SymbolicTensor {
  const attentionName = `${name}_attention`;
  const seed = (weight: string): number => initSeed(ctx, attentionName, `${weight}/kernel`);
  const attention = new MultiHeadAttention({
    name: attentionName,
    heads: config.heads,
    seeds: { query: seed('query'), key: seed('key'), value: seed('value'), output: seed('output') },
  });
  let a = attention.apply([x, mask]) as SymbolicTensor;
  a = maybeDropout(ctx, `${name}_attention_dropout`, a);
  x = residualNorm(`${name}_attention`, x, a);
  let f = dense(ctx, `${name}_ff_1`, config.ffDim, 'relu').apply(x) as SymbolicTensor;
  f = dense(ctx, `${name}_ff_2`, config.dModel).apply(f) as SymbolicTensor;
  f = maybeDropout(ctx, `${name}_ff_dropout`, f);
  return residualNorm(`${name}_ff`, x, f);
}

function residualNorm(name: string, x: SymbolicTensor, sublayer: SymbolicTensor): SymbolicTensor {
  const sum = tf.layers.add({ name: `${name}_residual` }).apply([x, sublayer]) as SymbolicTensor;
  return new LayerNorm({ name: `${name}_norm`, epsilon: NORM_EPSILON }).apply(sum) as SymbolicTensor;
}
