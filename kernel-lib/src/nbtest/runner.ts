/** `nbtest` as a library: run notebooks (in parallel), write executed copies, gate reproducibility. */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { invalidArgument } from '../errors';
import type { Json } from '../registry/types';
import { findProjectRoot } from '../repro/root';
import { displayPath, findNotebooks, outputNames } from './discover';
import { type CellFailure, type CellResult, executeNotebook } from './execute';
import { checkParameters, type NotebookDocument, readNotebook, writeNotebook } from './notebook';
import { COMMITTED, readCommitted, withPublishedRuns } from './committed';
import { gateRuns, skipped } from './gate';
import { lastRunId, readRuns, type ReproCheck } from './repro';
import { checkNotebookOutputs, rewriteOutputs } from './regression';
import { compileSanitizers } from './sanitize';
import { makeScratch, removeScratch } from './scratch';

export interface NbtestOptions {
  /** Per-cell limit in ms (default 600 s). */
  timeoutMs?: number;
  /** Notebooks run at the same time (default 1). */
  jobs?: number;
  parameters?: { [key: string]: Json };
  /**
   * Executed copies go here, mirroring the notebooks' folders; the notebooks' own folder executes
   * them in place (written only when they pass). Each notebook's registry is kept outside it, in
   * the out folder's project: <root>/.labbook/nbtest/<out from root>/<name>.labbook.db.
   */
  out?: string;
  /** One registry shared by every notebook instead of a fresh one each. */
  db?: string;
  /**
   * Compare with the runs of this registry instead of executing each notebook a second time;
   * `committed`: with the checkpoint hashes each notebook file publishes (metadata.labbook, written with `out`).
   */
  baseline?: string;
  /** The reproducibility gate (default true). */
  repro?: boolean;
  startupTimeoutMs?: number;
  /** Output regression of the cells tagged `check-output` (--check-outputs); `update` rewrites them in the notebook instead (--update-outputs). */
  outputs?: { update: boolean };
  /** Called as each notebook finishes (in finishing order). */
  onResult?: (result: NotebookResult) => void;
}

export interface NotebookResult {
  path: string;
  status: 'passed' | 'failed';
  durationMs: number;
  cells: CellResult[];
  failedCell: CellFailure | null;
  error: string | null;
  repro: ReproCheck;
  /** The executed copy (with --out). */
  output: string | null;
  /** The registry the first execution recorded into, when it is kept (--db or --out). */
  registry: string | null;
  executions: { durationMs: number; startupMs: number }[];
  /** With --check-outputs: how many tagged cells' outputs were rewritten (--update-outputs) and why any failed. */
  outputs: { updated: number; failures: string[] } | null;
}

export interface NbtestReport {
  notebooks: NotebookResult[];
  passed: number;
  failed: number;
}

/** Executes notebooks on tslab kernels; a notebook passes when every cell behaves and its runs reproduce. */
export async function runNotebooks(paths: readonly string[], options: NbtestOptions = {}): Promise<NbtestReport> {
  const notebooks = findNotebooks(paths);
  const jobs = options.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1) throw invalidArgument('jobs', 'a positive integer', jobs);
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) throw invalidArgument('timeoutMs', 'a positive number of milliseconds', options.timeoutMs);
  if (options.baseline !== undefined && options.baseline !== COMMITTED && !existsSync(options.baseline)) {
    throw invalidArgument('baseline', `an existing registry file, or \`${COMMITTED}\``, options.baseline, 'Record one with `labbook nbtest PATHS --db FILE --no-repro`.');
  }
  checkParameters(options.parameters ?? {});
  const names = outputNames(notebooks);
  const out = options.out === undefined ? undefined : resolve(options.out);
  const kept = out && keptRegistries(out);
  if (out && Object.keys(options.parameters ?? {}).length > 0 && names.some((name, i) => resolve(out, name) === notebooks[i])) {
    throw invalidArgument('out', 'a folder other than the notebooks\' own when --param is given', options.out, 'The injected parameters cell would be saved into the notebooks; write the executed copies to another folder.');
  }
  const results: NotebookResult[] = new Array(notebooks.length);
  let next = 0;
  const worker = async () => {
    while (next < notebooks.length) {
      const i = next++;
      results[i] = await runOne(notebooks[i], out && kept ? { copy: join(out, names[i]), registry: join(kept, names[i].replace(/\.ipynb$/, '')) } : undefined, options);
      options.onResult?.(results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, notebooks.length) }, worker));
  const passed = results.filter((r) => r.status === 'passed').length;
  return { notebooks: results, passed, failed: results.length - passed };
}

/**
 * Where --out keeps the registries: never beside the executed copies, whose folder may be in git
 * (notebooks executed in place), but under the out folder's project's .labbook/ (labbook's own
 * files, ignored by git), at the out folder's path from that root so two out folders never share.
 */
function keptRegistries(out: string): string {
  const root = findProjectRoot(out);
  return join(root, '.labbook', 'nbtest', relative(root, out));
}

async function runOne(notebook: string, outTo: { copy: string; registry: string } | undefined, options: NbtestOptions): Promise<NotebookResult> {
  const started = Date.now();
  const temps: string[] = [];
  const outCopy = outTo?.copy;
  const registryFor = (suffix: string): string => {
    if (outTo) {
      const db = `${outTo.registry}${suffix}.labbook.db`;
      mkdirSync(dirname(db), { recursive: true });
      for (const tail of ['', '-wal', '-shm']) rmSync(db + tail, { force: true }); // a fresh registry
      return db;
    }
    const dir = makeScratch('labbook-nbtest-');
    temps.push(dir);
    return join(dir, 'labbook.db');
  };
  const execOptions = { timeoutMs: options.timeoutMs, parameters: options.parameters, startupTimeoutMs: options.startupTimeoutMs };
  try {
    const shared = options.db ? resolve(options.db) : null;
    const db = shared ?? registryFor('');
    const afterId = shared ? lastRunId(shared) : 0;
    const committed = options.outputs ? committedNotebook(notebook) : null;
    // The hashes as committed, read before the execution (which may rewrite the file in place).
    const published = options.baseline === COMMITTED ? readCommitted(notebook, displayPath(notebook)) : undefined;
    const first = await executeNotebook(notebook, { ...execOptions, db, removeIfOrphaned: [...temps] });
    const outputs = committed && first.notebook && !first.error ? checkNotebookOutputs(committed, first.notebook, compileSanitizers(findProjectRoot(notebook)), options.outputs!.update) : null;
    const executions = [first];
    // In a shared registry this notebook's runs are the new ones its kernel recorded.
    const runs = first.error ? [] : readRuns(db, shared ? { afterId, pids: first.kernelPid === null ? [] : [first.kernelPid] } : {});
    let repro: ReproCheck;
    if (first.error) repro = skipped('the notebook failed');
    else if (options.repro === false) repro = skipped('turned off (--no-repro)');
    else {
      const gate = await gateRuns(notebook, runs, { baseline: options.baseline, committed: published, rerun: () => ({ ...execOptions, db: registryFor('.rerun'), removeIfOrphaned: [...temps] }) });
      repro = gate.repro;
      if (gate.second) executions.push(gate.second);
    }
    const failed = first.error !== null || repro.status === 'failed' || (outputs?.failures.length ?? 0) > 0;
    // Written after the rerun, which reads the notebook file; in place only when it passed, so a
    // failing execution never replaces a notebook's good outputs (nbconvert --inplace neither).
    const inPlace = outCopy === notebook;
    const written = outCopy !== undefined && first.notebook !== null && !(inPlace && failed);
    // With the hashes it publishes, so a reader can check it with --baseline committed.
    if (written) writeNotebook(outCopy, withPublishedRuns(first.notebook!, first.error ? null : runs));
    // Only from a passing notebook, as in place: a failed execution's outputs may be its symptoms.
    if (outputs && !failed) rewriteOutputs(notebook, outputs.updates);
    return {
      path: displayPath(notebook),
      status: failed ? 'failed' : 'passed',
      durationMs: Date.now() - started,
      cells: first.cells,
      failedCell: first.failedCell,
      error: first.error ?? (outputs?.failures.length ? outputs.failures.join('\n\n') : null) ?? (repro.status === 'failed' ? repro.reason : null),
      repro,
      output: written ? displayPath(outCopy) : null,
      registry: shared ?? (outCopy ? displayPath(db) : null),
      executions: executions.map((e) => ({ durationMs: e.durationMs, startupMs: e.startupMs })),
      outputs: outputs && { updated: failed ? 0 : outputs.updates.length, failures: outputs.failures },
    };
  } finally {
    for (const dir of temps) removeScratch(dir);
  }
}

/** The notebook as committed, read before the kernel runs it; an unreadable one fails in executeNotebook, which says why. */
function committedNotebook(path: string): NotebookDocument | null {
  try {
    return readNotebook(path);
  } catch {
    return null;
  }
}
