/** Shared by the metrics and loss tests: the LabbookError a call throws. */
import { expect } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';

export function catchError(fn: () => unknown): LabbookError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LabbookError);
    expect((err as LabbookError).code).toBe('INVALID_ARGUMENT');
    return err as LabbookError;
  }
  throw new Error('expected a LabbookError, but nothing was thrown');
}
