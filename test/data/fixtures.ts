/** Test helpers for the data suites: files in a fresh temp folder, and a Math.random that throws. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/temp';

const dir = tempDir('labbook-data-');

/** Writes a file into this suite's temp folder and returns its path. */
export function fixture(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/**
 * Runs `body` with Math.random replaced by a function that throws, restoring it afterwards.
 * Load TensorFlow.js (and danfo) before: tfjs-core's bundled seedrandom mixes one Math.random
 * value into its entropy pool when the module is first loaded, which is not a draw of ours.
 */
export function withoutMathRandom<T>(body: () => T): T {
  const original = Math.random;
  Math.random = () => {
    throw new Error('Math.random called');
  };
  try {
    return body();
  } finally {
    Math.random = original;
  }
}

/** The error `body` throws (fails the test when it throws nothing). */
export function thrown(body: () => unknown): Error & Record<string, unknown> {
  try {
    body();
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected an error, none was thrown');
}
