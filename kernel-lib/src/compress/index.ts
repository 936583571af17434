/** Compression of a run's model (float16/uint8 quantization, ONNX int8, magnitude pruning) as recorded child runs. */
export { compressModel, type CompressMethod, type CompressOptions, type CompressResult } from './compress';
export type { EvaluationSet } from './evaluate';
export { achievedSparsity, isPrunable, pruneValues } from './prune';
