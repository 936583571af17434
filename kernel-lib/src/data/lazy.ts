/** Lazy access to the heavy modules (danfo, TensorFlow.js, papaparse), loaded on first use, not at import. */
import type * as Danfo from 'danfojs-node';
import type * as TF from '@tensorflow/tfjs';

// danfo pulls in TensorFlow.js (about a second to load): a caller that only tokenizes text or
// splits indices should not pay for it, so nothing here runs until a frame or tensor is needed.

export function danfo(): typeof Danfo {
  return require('danfojs-node') as typeof Danfo;
}

export function tf(): typeof TF {
  return require('@tensorflow/tfjs') as typeof TF;
}

/** The part of papaparse (a dependency of danfo) that the CSV loader uses; it ships no types. */
export interface PapaStep {
  data: string[];
  errors: { code: string; message: string; index?: number }[];
  /** Offset just past this row (its line break included) in the parsed text. */
  meta: { cursor: number };
}

interface Papa {
  parse(input: string, config: { delimiter: string; quoteChar: string; skipEmptyLines: boolean; step: (row: PapaStep, parser: { abort(): void }) => void }): void;
}

export function papaparse(): Papa {
  return require('papaparse') as Papa;
}
