/** The zoo's custom layers and initializer; importing this registers them for model save/load. */
export { TokenEmbedding, type TokenEmbeddingArgs } from './embedding';
export { LayerNorm, type LayerNormArgs } from './layer-norm';
export { LSTM } from './lstm';
export { MultiHeadAttention, type AttentionSeeds, type MultiHeadAttentionArgs } from './attention';
export { SeededOrthogonal, type SeededOrthogonalArgs } from './orthogonal';
export { PositionalEncoding, type PositionalEncodingArgs } from './positional-encoding';
export { SeededDropout, type SeededDropoutArgs } from './seeded-dropout';
export {
  PaddingMask,
  ReverseSequence,
  SequencePooling,
  type SequencePoolingArgs,
  type SequencePoolingMode,
  type WeightlessLayerArgs,
} from './sequence';
