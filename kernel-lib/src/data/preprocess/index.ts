/** Preprocessing fitted on the training split: scalers, encoders and the pipeline that stores them. */
export { MinMaxScaler, Standardizer } from './scalers';
export { LabelEncoder, OneHotEncoder } from './encoders';
export { Pipeline, transformerFromJSON, type PipelineState } from './pipeline';
export type {
  Category,
  LabelEncoderState,
  MinMaxScalerState,
  OneHotEncoderState,
  StandardizerState,
  Transformer,
  TransformerState,
  UnknownPolicy,
} from './transformer';
