/** Output regression in a notebook's vitest suite: each `check-output` cell compared after it runs, its outputs rewritten under `vitest -u`. */
import { findProjectRoot } from '../repro/root';
import type { NotebookCell, NotebookDocument } from '../nbtest/notebook';
import { checksOutput, compareOutputs, hasCommittedOutputs, type OutputUpdate, regressionReport, rewriteOutputs } from '../nbtest/regression';
import { compileSanitizers, type CompiledSanitizer, type Sanitizer } from '../nbtest/sanitize';

/** vitest's snapshot update modes: `all` under -u, `new` by default, `none` when CI is set. */
export type UpdateMode = 'all' | 'new' | 'none';

/** The global `expect` the generated module passes in; in a test its state holds the file's SnapshotState. */
export interface ExpectLike {
  getState(): { snapshotState?: unknown };
}

/**
 * vitest keeps the mode in SnapshotState's `_updateSnapshot` (no public getter in vitest 3);
 * read there so `-u`, `--update` and the watch mode's `u` key all count. Without it, vitest's
 * own default applies: new snapshots are written unless CI is set.
 */
export function updateMode(expect: ExpectLike | undefined): UpdateMode {
  const state = expect?.getState().snapshotState as { _updateSnapshot?: unknown } | undefined;
  const mode = state?._updateSnapshot;
  if (mode === 'all' || mode === 'new' || mode === 'none') return mode;
  return process.env.CI && process.env.CI !== 'false' ? 'none' : 'new';
}

export class OutputChecks {
  private readonly sanitizers: CompiledSanitizer[];
  private readonly updates: OutputUpdate[] = [];

  /** `committed` is the notebook as collected, before any kernel wrote outputs into a copy. */
  constructor(private readonly file: string, private readonly committed: NotebookDocument, sanitizers: Sanitizer[] = []) {
    this.sanitizers = compileSanitizers(findProjectRoot(file), sanitizers);
  }

  /** After a cell ran: null when it passes (or is not tagged), else the failure text. */
  check(index: number, executed: NotebookCell, mode: UpdateMode): string | null {
    const committed = this.committed.cells[index];
    if (!committed || !checksOutput(committed)) return null;
    const outputs = executed.outputs ?? [];
    const update = { index, source: String(Array.isArray(committed.source) ? committed.source.join('') : committed.source), outputs, executionCount: executed.execution_count ?? null };
    if (!hasCommittedOutputs(committed)) {
      // A new snapshot: written unless in CI, where a missing snapshot fails (vitest's rule).
      if (mode === 'none') return `cell ${index} is tagged check-output but the notebook has no committed outputs for it, and new outputs are not written in CI. Run \`vitest -u\` locally and commit the notebook.`;
      this.updates.push(update);
      return null;
    }
    const diff = compareOutputs(committed.outputs ?? [], outputs, this.sanitizers);
    if (diff === null) return null;
    if (mode === 'all') {
      this.updates.push(update);
      return null;
    }
    return regressionReport(index, diff, '`vitest -u`');
  }

  /**
   * Writes what check() accepted. Only after a notebook whose cells all ran: a failed run's
   * outputs stop at the failure and may be its symptoms, so nothing of it is committed.
   */
  write(): number {
    rewriteOutputs(this.file, this.updates);
    return this.updates.splice(0).length;
  }
}
