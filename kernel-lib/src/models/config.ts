/** Typed model configs for the zoo and their defaults (plain data: no tfjs here). */
import { invalidArgument } from '../errors';

export type Task = 'classification' | 'regression';
export type MlpActivation = 'relu' | 'tanh' | 'gelu';
export type CnnPadding = 'valid' | 'same';
export type Pooling = 'mean' | 'first';

/** What every config has: the head, and the dropout rate. */
export interface HeadConfig {
  /** Classification heads output logits (no softmax); regression heads are linear. Default 'classification'. */
  task?: Task;
  /** Width of the head: classes or regression targets. Default 10 for classification, 1 for regression. */
  outputs?: number;
  /**
   * Dropout rate in [0, 1), drawn by SeededDropout. Default 0, which adds no dropout layers at all.
   * Where it goes: MLP after each hidden layer; CNN after each pooling and after the dense layer;
   * LSTM/GRU after each recurrent layer; Transformer where the original paper has it (after the
   * embeddings + positional encoding, and on each sub-layer's output before its residual add).
   */
  dropout?: number;
}

/** Dense layers over a flattened input: 784-128-10 by default. */
export interface MlpConfig extends HeadConfig {
  kind: 'mlp';
  /** Default [784]; more than one dimension is flattened first. */
  inputShape?: number[];
  /** Hidden layer widths; default [128]. [] gives a linear model. */
  hidden?: number[];
  /** Default 'relu'. */
  activation?: MlpActivation;
}

/** conv-relu-maxpool(2) per `filters` entry, flatten, dense-relu, head. */
export interface CnnConfig extends HeadConfig {
  kind: 'cnn';
  /** [height, width, channels], channels last; default [28, 28, 1]. */
  inputShape?: [number, number, number];
  /** Filters of each conv block; default [32, 64]. */
  filters?: number[];
  /** Square kernel side; default 3. */
  kernelSize?: number;
  /** Width of the dense layer before the head; default 128. */
  dense?: number;
  /** Convolution padding; default 'valid'. */
  padding?: CnnPadding;
}

/** Stacked LSTM or GRU layers; the last returns its final state, then the head. */
export interface RnnConfig extends HeadConfig {
  kind: 'lstm' | 'gru';
  /** [steps, features]; default [100, 10]. */
  inputShape?: [number, number];
  /** Units of each recurrent layer; default [64, 64]. */
  units?: number[];
  /** Run each layer both ways and concatenate; default false. */
  bidirectional?: boolean;
}

/** A post-norm Transformer encoder (Vaswani et al. 2017) over token ids; id 0 is padding. */
export interface TransformerConfig extends HeadConfig {
  kind: 'transformer';
  /** Token ids are 0..vocabSize-1, 0 being padding; default 1000. */
  vocabSize?: number;
  /** Sequence length of the input; default 64. */
  maxLen?: number;
  /** Model width; default 64. */
  dModel?: number;
  /** Attention heads; must divide dModel. Default 4. */
  heads?: number;
  /** Inner width of the position-wise feed-forward network; default 256. */
  ffDim?: number;
  /** Encoder blocks; default 2. */
  layers?: number;
  /** 'mean' over non-pad positions, or the 'first' position (a CLS-like token); default 'mean'. */
  pooling?: Pooling;
}

export type ModelConfig = MlpConfig | CnnConfig | RnnConfig | TransformerConfig;
export type ModelKind = ModelConfig['kind'];
/** A config with every default filled in. */
export type ResolvedModelConfig =
  | Required<MlpConfig>
  | Required<CnnConfig>
  | Required<RnnConfig>
  | Required<TransformerConfig>;

export const MODEL_KINDS: readonly ModelKind[] = ['mlp', 'cnn', 'lstm', 'gru', 'transformer'];

const HEAD_DEFAULTS = { task: 'classification', outputs: 10, dropout: 0 } as const;

/** The full default config of a kind (a fresh copy: mutate it freely). */
export function modelDefaults(kind: 'mlp'): Required<MlpConfig>;
export function modelDefaults(kind: 'cnn'): Required<CnnConfig>;
export function modelDefaults(kind: 'lstm' | 'gru'): Required<RnnConfig>;
export function modelDefaults(kind: 'transformer'): Required<TransformerConfig>;
export function modelDefaults(kind: ModelKind): ResolvedModelConfig;
export function modelDefaults(kind: ModelKind): ResolvedModelConfig {
  switch (kind) {
    case 'mlp':
      return { kind, ...HEAD_DEFAULTS, inputShape: [784], hidden: [128], activation: 'relu' };
    case 'cnn':
      return { kind, ...HEAD_DEFAULTS, inputShape: [28, 28, 1], filters: [32, 64], kernelSize: 3, dense: 128, padding: 'valid' };
    case 'lstm':
    case 'gru':
      return { kind, ...HEAD_DEFAULTS, inputShape: [100, 10], units: [64, 64], bidirectional: false };
    case 'transformer':
      return {
        kind,
        ...HEAD_DEFAULTS,
        vocabSize: 1000,
        maxLen: 64,
        dModel: 64,
        heads: 4,
        ffDim: 256,
        layers: 2,
        pooling: 'mean',
      };
    default:
      throw invalidArgument('kind', `one of ${MODEL_KINDS.map((k) => `"${k}"`).join(', ')}`, kind);
  }
}
