/** Every native kernel, by group; each falls back to the cpu kernel for what it does not handle. */
import { convKernels, type ConvAddon } from './conv';
import { poolKernels, type PoolAddon } from './pool';
import { elementwiseKernels, type ElementwiseAddon } from './elementwise';
import { reduceKernels, type ReduceAddon } from './reduce';
import { indexingKernels, type IndexingAddon } from './indexing';
import { lossKernels, type LossAddon } from './loss';
import { activationGradKernels, type ActivationGradAddon } from './activation-grad';
import { optimizerKernels, type OptimizerAddon } from './optimizer';
import { rnnKernels, type RnnAddon } from './rnn';
import { attentionKernels, type AttentionAddon } from './attention';
import { layerNormKernels, type LayerNormAddon } from './layer-norm';
import { matmulKernels, type MatmulAddon } from './matmul';
import type { NativeKernel } from './util';

export type { NativeKernel } from './util';

/** The addon's kernel functions, as each group declares them. */
export type KernelAddon = MatmulAddon & ConvAddon & PoolAddon & ElementwiseAddon & ReduceAddon & IndexingAddon & OptimizerAddon & LossAddon & ActivationGradAddon & RnnAddon & AttentionAddon & LayerNormAddon;

export const NATIVE_KERNELS: readonly NativeKernel[] = [
  ...matmulKernels,
  ...convKernels,
  ...poolKernels,
  ...elementwiseKernels,
  ...reduceKernels,
  ...indexingKernels,
  ...optimizerKernels,
  ...lossKernels,
  ...activationGradKernels,
  ...rnnKernels,
  ...attentionKernels,
  ...layerNormKernels,
];
