/** The record of one sweep trial: what samplers and pruners read; it is the whole state a sweep resumes from. */
import type { Json } from '../registry/types';

export type TrialState = 'running' | 'complete' | 'pruned' | 'failed';

/** One reported intermediate objective value (for pruners), at a training step or epoch. */
export interface TrialIntermediate {
  step: number;
  value: number;
}

export interface Trial {
  /** 0-based, in the order trials were proposed; a sampler derives the trial's RNG from it. */
  number: number;
  /** Dotted param name (as `--set` takes it) -> value; inactive conditional params are absent. */
  params: { [name: string]: Json };
  state: TrialState;
  /** The objective's final value; null while running, or when pruned/failed without one. */
  value: number | null;
  intermediate: TrialIntermediate[];
}
