/** Data: CSV/JSON loaders to typed danfo frames, fingerprints, splits, preprocessing, tensors, text, built-in datasets. */
export { loadCsv, DEFAULT_MISSING, type CsvOptions } from './csv';
export { loadJson, type JsonOptions } from './json';
export type { LoadOptions } from './options';
export { DataFormatError, type DataLocation } from './errors';
export type { Cell, Column, Dtype } from './frame';
export { fingerprint, logFrame, type Fingerprint } from './fingerprint';
export { splitFrame, splitIndices, type FrameSplits, type IndexSplits, type SplitFractions, type SplitOptions } from './split';
export { toTensors, type TensorOptions, type Tensors } from './tensors';
export { splitTensors, type TensorPair, type TensorSplits } from './split-tensors';
export * from './preprocess';
export * from './text';
export * from './datasets';
