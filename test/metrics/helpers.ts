/** Shared by the metrics and loss tests: the LabbookError (INVALID_ARGUMENT) a call throws. */
import type { LabbookError } from '../../kernel-lib/src/errors';
import { labbookError } from '../helpers';

export function catchError(fn: () => unknown): LabbookError {
  return labbookError(fn, 'INVALID_ARGUMENT');
}
