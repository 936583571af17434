/** What a project tells the notebook tests (in vitest.config: notebooks({...})), checked before any kernel starts. */
import { invalidArgument } from '../errors';
import { checkParameters } from '../nbtest/notebook';
import { refuseUnknownKeys } from '../suggest';
import { checkSanitizers, type Sanitizer } from '../nbtest/sanitize';
import type { Json } from '../registry/types';

export interface NotebookTestOptions {
  /** Assigned after each notebook's cell tagged `parameters`, as `labbook nbtest --param` (and papermill) do. */
  parameters?: { [key: string]: Json };
  /** Seconds one cell may run (default 600); a notebook's metadata `execution.timeout` overrides it, as in nbmake. */
  cellTimeout?: number;
  /** Seconds the whole notebook may take, its cells together (default: no limit beyond the cells'). */
  notebookTimeout?: number;
  /** Seconds the kernel may take to start (default 60). */
  startupTimeout?: number;
  /** The reproducibility gate as a last test per notebook: a second execution (default), a baseline registry, or off. */
  repro?: boolean | { baseline: string };
  /**
   * What the gate compares with instead of a second execution: a registry file, or `committed`, the
   * checkpoint hashes the notebook file publishes (metadata.labbook, written by `labbook nbtest --out`).
   */
  baseline?: string;
  /** Output regression (cells tagged `check-output`): {regex, replace} pairs applied after the built-in ones, as nbval's sanitize files. */
  sanitizers?: Sanitizer[];
}

/** Plain JSON in, so the options travel into the generated test module unchanged. */
export function checkTestOptions(options: NotebookTestOptions): NotebookTestOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalidArgument('notebooks() options', 'an options object', options);
  refuseUnknownKeys('notebooks()', options, ['parameters', 'cellTimeout', 'notebookTimeout', 'startupTimeout', 'repro', 'baseline', 'sanitizers']);
  for (const key of ['cellTimeout', 'notebookTimeout', 'startupTimeout'] as const) {
    const value = options[key];
    if (value !== undefined && !(typeof value === 'number' && value > 0 && Number.isFinite(value))) throw invalidArgument(key, 'a positive number of seconds', value);
  }
  checkParameters(options.parameters ?? {});
  const repro = options.repro;
  if (repro !== undefined && typeof repro !== 'boolean' && !(repro !== null && typeof repro === 'object' && typeof repro.baseline === 'string')) {
    throw invalidArgument('repro', 'true, false or {baseline: PATH}', repro);
  }
  if (options.baseline !== undefined && (typeof options.baseline !== 'string' || options.baseline === '')) {
    throw invalidArgument('baseline', "a registry file or 'committed'", options.baseline);
  }
  if (options.baseline !== undefined && (repro === false || (typeof repro === 'object' && repro.baseline !== options.baseline))) {
    throw invalidArgument('baseline', `no other gate setting: repro is ${JSON.stringify(repro)}`, options.baseline, 'Give the baseline once, as `baseline`, and leave `repro` out.');
  }
  // RegExps become {regex, flags} strings here: the options travel into the generated module as JSON.
  return options.sanitizers === undefined ? options : { ...options, sanitizers: checkSanitizers(options.sanitizers) };
}
