/** The text pipeline: tokenizer, vocabulary with padded encoding, length-bucketed batches. */
export { stripEmailHeaders, tokenize } from './tokenize';
export { Vocabulary, type EncodeOptions, type VocabularyOptions, type VocabularyState } from './vocabulary';
export { bucketBatches, type BucketOptions } from './buckets';
