/** Checkpoint hashes a notebook publishes in metadata.labbook, and `--baseline committed`: this execution against them. */
import { LabbookError } from '../errors';
import type { RunRecord } from '../registry/types';
import { describePromise, promiseDifferences, promiseScope, recordedPromise, type ReproPromise } from '../repro/promise';
import { type NotebookDocument, readNotebook } from './notebook';
import type { ReproCheck, ReproPair } from './repro';

/** The `--baseline` word that means the hashes recorded in the notebook file (a file so named is `./committed`). */
export const COMMITTED = 'committed';

/** One checkpointed run as a notebook publishes it: enough for a reader to check it, nothing of the machine but its promise. */
export type PublishedRun = {
  experiment: string;
  name: string | null;
  seed: number;
  configHash: string;
  checkpoint: { sha256: string; step: number };
  promise: ReproPromise | null;
};

/** metadata.labbook: the checkpointed runs in creation order (an empty list says there were none). */
export type PublishedMetadata = { runs: PublishedRun[] };

/** What an executed notebook records about `runs` (its execution's, in recording order). */
export function publishedMetadata(runs: readonly RunRecord[]): PublishedMetadata {
  return {
    runs: runs
      .filter((r) => r.checkpoints.length > 0)
      .map((r) => {
        const last = r.checkpoints[r.checkpoints.length - 1];
        return { experiment: r.experiment, name: r.name, seed: r.seed, configHash: r.configHash, checkpoint: { sha256: last.sha256, step: last.step }, promise: recordedPromise(r.env.reproducibility) };
      }),
  };
}

/**
 * The executed notebook with its published hashes; other metadata stays. `null` for an execution
 * that failed: the hashes the source notebook carried are not this copy's, so none are published.
 */
export function withPublishedRuns(doc: NotebookDocument, runs: readonly RunRecord[] | null): NotebookDocument {
  const { labbook: _stale, ...metadata } = doc.metadata;
  return { ...doc, metadata: runs === null ? metadata : { ...metadata, labbook: publishedMetadata(runs) } };
}

/** The hashes a notebook file publishes; throws the error nbtest reports when it publishes none. */
export function committedRuns(doc: NotebookDocument, path: string): PublishedRun[] {
  const section = doc.metadata.labbook as { runs?: unknown } | undefined;
  const runs = section?.runs;
  const valid = Array.isArray(runs) && runs.every((r) => r !== null && typeof r === 'object' && typeof r.experiment === 'string' && typeof r.checkpoint?.sha256 === 'string');
  if (!valid) {
    const received = section === undefined ? 'a notebook without metadata.labbook' : `metadata.labbook ${JSON.stringify(section).slice(0, 120)}`;
    throw new LabbookError(
      'INVALID_ARGUMENT',
      `${path} has no committed checkpoint hashes to compare with: expected metadata.labbook.runs, written when nbtest executes a notebook with --out, received ${received}. ` +
        `Re-execute it with \`npm run notebooks\` / \`labbook nbtest ${path} --out DIR\` and commit it.`,
    );
  }
  return runs as PublishedRun[];
}

/**
 * This execution's checkpointed runs against the committed ones, matched by experiment, name,
 * seed and config in creation order. Every committed run must be met on the same SHA-256 and
 * within the same promise: one recorded under another promise fails and names the difference
 * even when its hash matches, since the comparison then proves nothing the promise stands behind.
 */
export function againstCommitted(runs: readonly RunRecord[], committed: readonly PublishedRun[]): ReproCheck {
  const here = publishedMetadata(runs).runs;
  const ids = runs.filter((r) => r.checkpoints.length > 0).map((r) => r.id);
  const ungated = runs.length - here.length;
  const key = (r: PublishedRun) => JSON.stringify([r.experiment, r.name, r.seed, r.configHash]);
  const waiting = new Map<string, number[]>();
  committed.forEach((r, i) => waiting.set(key(r), [...(waiting.get(key(r)) ?? []), i]));
  const pairs: ReproPair[] = [];
  const problems: string[] = [];
  const outside = new Set<string>();
  here.forEach((run, k) => {
    const i = waiting.get(key(run))?.shift();
    const label = `run ${ids[k]} ${runLabel(run)}`;
    if (i === undefined) {
      problems.push(`${label}: not among the notebook's committed runs (this hash ${run.checkpoint.sha256})`);
      return;
    }
    const was = committed[i];
    const equal = was.checkpoint.sha256 === run.checkpoint.sha256;
    pairs.push({ experiment: run.experiment, seed: run.seed, runs: [ids[k], i + 1], checkpoints: [run.checkpoint.sha256, was.checkpoint.sha256], equal, diff: null });
    if (!equal) problems.push(`${label}: committed ${was.checkpoint.sha256}, this execution ${run.checkpoint.sha256}`);
    const promise = promiseNote(recordedPromise(was.promise), run.promise);
    if (promise) outside.add(promise);
  });
  for (const rest of waiting.values()) for (const i of rest) problems.push(`committed run ${i + 1} ${runLabel(committed[i])}: not recorded by this execution (committed ${committed[i].checkpoint.sha256})`);
  const differ = pairs.filter((p) => !p.equal).length;
  const failed = problems.length > 0 || outside.size > 0;
  if (!failed && pairs.length === 0) {
    return { status: 'skipped', against: 'committed', reason: `no checkpointed runs, and none committed (${ungated} run(s) without checkpoints are not gated)`, pairs, unmatched: [], ungated, report: null };
  }
  const summary = [
    differ ? `${differ} of ${pairs.length} checkpointed run(s) differ from the hashes committed in the notebook` : '',
    problems.length > differ ? `${problems.length - differ} run(s) have no counterpart` : '',
    outside.size ? 'it was committed under another reproducibility promise' : '',
  ].filter(Boolean);
  return {
    status: failed ? 'failed' : 'passed',
    against: 'committed',
    reason: failed ? `not reproducible: ${summary.join('; ')} (matched ${pairs.length - differ} of ${committed.length})` : null,
    pairs,
    unmatched: [],
    ungated,
    report: failed ? [...outside, ...problems].join('\n') : null,
  };
}

/** Why a committed hash need not be met here, named; null when this machine is inside its promise. */
function promiseNote(was: ReproPromise | null, now: ReproPromise | null): string | null {
  if (!was || !now) return was === now ? null : `committed ${was ? `on ${describePromise(was)}` : 'with no recorded promise'}; here: ${now ? describePromise(now) : 'no recorded promise'}`;
  const differences = promiseDifferences(was, now);
  if (differences.length === 0) return null;
  return `committed on ${describePromise(was)}; here: ${describePromise(now)} (${differences.join('; ')}); ${promiseScope(was)}. Re-execute it on a machine inside that promise, or re-commit it from this one.`;
}

function runLabel(r: PublishedRun): string {
  return `(${r.name ? `${r.name}, ` : ''}experiment ${r.experiment}, seed ${r.seed}, config ${r.configHash.slice(0, 12)})`;
}

/** committedRuns, or the error to fail the gate with (the notebook still runs: its cells are tests too). */
export function committedOrError(doc: NotebookDocument, shown: string): PublishedRun[] | { error: string } {
  try {
    return committedRuns(doc, shown);
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** committedOrError of the file as it is now, before a kernel runs it; an unreadable file fails its execution, which says why. */
export function readCommitted(file: string, shown: string): PublishedRun[] | { error: string } {
  try {
    return committedOrError(readNotebook(file), shown);
  } catch (error) {
    return { error: (error as Error).message };
  }
}
