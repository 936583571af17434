/** The one error class labbook throws for anything a caller can fix (and its codes). */

/** Codes of mistakes a user can fix; the CLI exits 2 for these, 1 for anything else. */
export type LabbookErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_FILTER'
  | 'NOT_FOUND'
  | 'PARAM_CONFLICT'
  | 'RUN_ENDED'
  | 'SCHEMA_TOO_NEW'
  | 'NO_REGISTRY'
  | 'REGISTRY_CORRUPT'
  | 'REGISTRY_ACCESS'
  | 'READ_ONLY'
  | 'UNTRUSTED_FILE'
  | 'HASH_MISMATCH'
  | 'CHECKPOINT_FORMAT'
  | 'MODEL_FORMAT'
  | 'NON_FINITE_LOSS'
  | 'NOT_REPRODUCED'
  | 'WRITE_FAILED'
  /** An optional package a feature needs is not installed (onnxruntime-node for running ONNX). */
  | 'MISSING_DEPENDENCY'
  /** The team store (PostgreSQL) cannot be reached, refuses the login, or lacks the database or a right. */
  | 'TEAM_STORE';

export class LabbookError extends Error {
  readonly code: LabbookErrorCode;
  /** 1-based column in a user's expression (a filter, a sort spec) where the mistake starts. */
  readonly position?: number;

  constructor(code: LabbookErrorCode, message: string, position?: number) {
    super(message);
    this.name = 'LabbookError';
    this.code = code;
    if (position !== undefined) this.position = position;
  }
}

/** Renders any value the way error messages quote what they received. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value === null || value === undefined) return String(value);
  if (value instanceof Uint8Array) return `${value.constructor.name}(${value.length})`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'function') return 'a function';
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** `word` after "a" or "an" as it is spoken ("an array", "an int32", "a Uint8Array", "a one-hot"): messages build "expected a ${kind}". */
export function withArticle(word: string): string {
  return /^[aeiou]/i.test(word) && !/^(one|uni|uint|use|usu)/i.test(word) ? `an ${word}` : `a ${word}`;
}

/** `Invalid value for \`name\`: expected X, received Y.` plus an optional fix. */
export function invalidArgument(name: string, expected: string, received: unknown, fix?: string): LabbookError {
  const tail = fix ? ` ${fix}` : '';
  return new LabbookError(
    'INVALID_ARGUMENT',
    `Invalid value for \`${name}\`: expected ${expected}, received ${describeValue(received)}.${tail}`,
  );
}
