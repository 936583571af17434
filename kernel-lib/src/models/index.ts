/** The model zoo: seeded tfjs LayersModels (MLP, CNN, LSTM/GRU, Transformer encoder) from typed configs. */
export { buildModel, builtConfig, type BuildOptions } from './build';
export {
  MODEL_KINDS,
  modelDefaults,
  type CnnConfig,
  type CnnPadding,
  type HeadConfig,
  type MlpActivation,
  type MlpConfig,
  type ModelConfig,
  type ModelKind,
  type Pooling,
  type ResolvedModelConfig,
  type RnnConfig,
  type Task,
  type TransformerConfig,
} from './config';
export { resolveModelConfig } from './validate';
export { describeModel, parameterCount } from './summary';
export * from './layers';
