/** The reproducibility gate for one executed notebook: its checkpointed runs against a second execution or a baseline registry. */
import { dirname, relative, resolve } from 'node:path';
import type { Json, RunRecord } from '../registry/types';
import { findProjectRoot } from '../repro/root';
import type { NotebookExecution } from './cells';
import { againstCommitted, COMMITTED, type PublishedRun } from './committed';
import { executeNotebook, type ExecuteNotebookOptions } from './execute';
import { compareRuns, readRuns, type ReproCheck } from './repro';

export interface GateOptions {
  /** Compare with this registry's runs instead of executing the notebook again; `committed`: with the hashes the notebook file published. */
  baseline?: string;
  /** With `baseline: 'committed'`: the runs the notebook published, read before it executed, or why it has none. */
  committed?: PublishedRun[] | { error: string };
  /** Options for the second execution (its own fresh registry in `db`), asked for only when one is needed. */
  rerun: () => ExecuteNotebookOptions & { db: string };
}

/**
 * `runs` are what the first execution recorded. With no checkpointed run there is nothing to
 * compare bit for bit (skipped, and the runs counted as ungated); else every checkpointed run
 * must meet its twin, matched by identity, on the same checkpoint SHA-256.
 */
export async function gateRuns(notebook: string, runs: RunRecord[], options: GateOptions): Promise<{ repro: ReproCheck; second: NotebookExecution | null }> {
  if (options.baseline === COMMITTED) {
    const committed = options.committed ?? { error: 'the committed hashes were not read' };
    if ('error' in committed) return { repro: { ...skipped(null), status: 'failed', against: 'committed', reason: committed.error }, second: null };
    return { repro: againstCommitted(runs, committed), second: null };
  }
  if (options.baseline) return { repro: againstBaseline(runs, resolve(options.baseline), notebook), second: null };
  if (!runs.some((r) => r.checkpoints.length > 0)) {
    return { repro: skipped(`no checkpointed runs (${runs.length} run(s) without checkpoints are not gated)`, runs.length), second: null };
  }
  const rerun = options.rerun();
  const second = await executeNotebook(notebook, rerun);
  const repro: ReproCheck = second.error
    ? { ...skipped(null), status: 'failed', against: 'rerun', reason: `not reproducible: the second execution failed: ${second.error}`, report: second.failedCell?.error ?? null }
    : { against: 'rerun', ...compareRuns(runs, readRuns(rerun.db), ['execution 1', 'execution 2']) };
  return { repro, second };
}

/**
 * A baseline registry may hold every notebook's runs: those recorded for this notebook are the
 * ones whose environment names it (env.notebook.path, relative to the project root). Where the
 * baseline's runs do not say, all of them are candidates and only this execution's runs must match.
 */
function againstBaseline(runs: RunRecord[], baseline: string, notebook: string): ReproCheck {
  const all = readRuns(baseline);
  const path = relative(findProjectRoot(dirname(notebook)), notebook).split('\\').join('/');
  const named = all.filter((r) => notebookPathOf(r) !== null);
  const mine = named.length > 0 ? all.filter((r) => notebookPathOf(r) === path) : all;
  return { against: 'baseline', ...compareRuns(runs, mine, ['this execution', 'the baseline'], named.length === 0) };
}

function notebookPathOf(run: RunRecord): string | null {
  const section = (run.env as { [key: string]: Json }).notebook;
  if (section === null || typeof section !== 'object' || Array.isArray(section)) return null;
  return typeof section.path === 'string' ? section.path : null;
}

export function skipped(reason: string | null, ungated = 0): ReproCheck {
  return { status: 'skipped', against: null, reason, pairs: [], unmatched: [], ungated, report: null };
}
