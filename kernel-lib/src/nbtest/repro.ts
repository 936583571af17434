/** The reproducibility gate: runs of two executions matched by identity must end on the same checkpoint. */
import { existsSync } from 'node:fs';
import type { RunDiff } from '../query';
import { openRegistry } from '../registry';
import { readRun } from '../registry/read';
import type { Json, RunRecord } from '../registry/types';
import { canonicalJson } from '../repro/hash';
import { diffRecords, finalCheckpoint } from '../query/diff';
import { renderRecordDiff } from './rundiff';

export interface ReproPair {
  experiment: string;
  seed: number;
  /** The run's id in the first and in the second registry (against committed hashes: its position in the notebook's metadata.labbook.runs, from 1). */
  runs: [number, number];
  checkpoints: [string | null, string | null];
  equal: boolean;
  /** What differs, for a pair whose checkpoints differ. */
  diff: RunDiff | null;
}

export interface ReproUnmatched {
  /** Which execution recorded the run (0: first, 1: second or baseline). */
  side: 0 | 1;
  run: number;
  experiment: string;
  seed: number;
  /** The other side's unmatched run of the same experiment, compared, when there is one. */
  nearest: RunDiff | null;
}

export interface ReproCheck {
  status: 'passed' | 'failed' | 'skipped';
  /** What the first execution was compared with: a second execution, a baseline registry, or the hashes committed in the notebook. */
  against: 'rerun' | 'baseline' | 'committed' | null;
  /** Why it was skipped, or a one-line summary of a failure. */
  reason: string | null;
  pairs: ReproPair[];
  unmatched: ReproUnmatched[];
  /** Runs without any checkpoint: matched and listed, but not gated (there is nothing to compare bit for bit). */
  ungated: number;
  /** Readable diffs of everything that failed. */
  report: string | null;
}

/** The identity two executions of a notebook must share for their runs to be compared. */
export function runIdentity(r: RunRecord): string {
  const env = r.env as { [key: string]: Json };
  const backend = env.backend !== null && typeof env.backend === 'object' && !Array.isArray(env.backend) ? env.backend.name ?? null : null;
  return canonicalJson({
    experiment: r.experiment,
    configHash: r.configHash,
    seed: r.seed,
    datasets: Object.fromEntries(r.datasets.map((d) => [d.name, d.sha256])),
    codeHash: r.codeHash,
    backend,
    tfjs: env.tfjs ?? null,
    labbook: env.labbook ?? null,
  });
}

/** Every run of a registry (or those recorded after `afterId` by one of `pids`), in recording order. */
export function readRuns(db: string, filter: { afterId?: number; pids?: number[] } = {}): RunRecord[] {
  if (!existsSync(db)) return [];
  const registry = openRegistry({ db, create: false });
  try {
    const ids = (registry.db.prepare('SELECT id, pid FROM runs WHERE id > ? ORDER BY id').all(filter.afterId ?? 0) as { id: number; pid: number }[])
      .filter((r) => !filter.pids || filter.pids.includes(r.pid))
      .map((r) => r.id);
    return ids.map((id) => readRun(registry.db, id));
  } finally {
    registry.close();
  }
}

export function lastRunId(db: string): number {
  if (!existsSync(db)) return 0;
  const registry = openRegistry({ db, create: false });
  try {
    return (registry.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM runs').get() as { id: number }).id;
  } finally {
    registry.close();
  }
}

/**
 * Pairs runs with the same identity in recording order and compares their final checkpoints.
 * `secondMayHaveMore`: the second side may hold runs of other notebooks (a shared baseline that
 * cannot be narrowed to this notebook), so its unmatched runs are not failures.
 */
export function compareRuns(first: RunRecord[], second: RunRecord[], labels: [string, string], secondMayHaveMore = false): Omit<ReproCheck, 'against'> {
  const groups = new Map<string, [RunRecord[], RunRecord[]]>();
  for (const [side, runs] of [first, second].entries()) {
    for (const run of runs) {
      const key = runIdentity(run);
      if (!groups.has(key)) groups.set(key, [[], []]);
      groups.get(key)![side].push(run);
    }
  }
  const pairs: ReproPair[] = [];
  const leftover: [RunRecord[], RunRecord[]] = [[], []];
  let ungated = 0;
  for (const [a, b] of groups.values()) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (!a[i] || !b[i]) {
        const [side, run] = a[i] ? [0, a[i]] as const : [1, b[i]] as const;
        if (run.checkpoints.length && !(side === 1 && secondMayHaveMore)) leftover[side].push(run);
        else if (side === 0 || !secondMayHaveMore) ungated++;
        continue;
      }
      const checkpoints: [string | null, string | null] = [finalCheckpoint(a[i]), finalCheckpoint(b[i])];
      if (checkpoints[0] === null && checkpoints[1] === null) {
        ungated++;
        continue;
      }
      const equal = checkpoints[0] === checkpoints[1];
      pairs.push({ experiment: a[i].experiment, seed: a[i].seed, runs: [a[i].id, b[i].id], checkpoints, equal, diff: equal ? null : diffRecords([a[i], b[i]]) });
    }
  }
  const unmatched = describeUnmatched(leftover);
  const differ = pairs.filter((p) => !p.equal);
  const failed = differ.length > 0 || unmatched.length > 0;
  if (!failed && pairs.length === 0) {
    return { status: 'skipped', reason: `no checkpointed runs to compare (${ungated} run(s) without checkpoints are not gated)`, pairs, unmatched, ungated, report: null };
  }
  const summary = failed
    ? [differ.length ? `${differ.length} of ${pairs.length} checkpointed run(s) end on a different checkpoint` : '', unmatched.length ? `${unmatched.length} checkpointed run(s) have no counterpart` : '']
        .filter(Boolean)
        .join('; ')
    : null;
  return { status: failed ? 'failed' : 'passed', reason: summary && `not reproducible: ${summary} (${labels[0]} vs ${labels[1]})`, pairs, unmatched, ungated, report: failed ? render(differ, unmatched, labels) : null };
}

function describeUnmatched(leftover: [RunRecord[], RunRecord[]]): ReproUnmatched[] {
  const out: ReproUnmatched[] = [];
  const others = [...leftover[1]];
  for (const run of leftover[0]) {
    // The nearest counterpart: the other side's next unmatched run of the same experiment.
    const at = others.findIndex((o) => o.experiment === run.experiment);
    const other = at >= 0 ? others.splice(at, 1)[0] : null;
    out.push({ side: 0, run: run.id, experiment: run.experiment, seed: run.seed, nearest: other ? diffRecords([run, other]) : null });
  }
  for (const run of others) {
    out.push({ side: 1, run: run.id, experiment: run.experiment, seed: run.seed, nearest: null });
  }
  return out;
}

function render(differ: ReproPair[], unmatched: ReproUnmatched[], labels: [string, string]): string {
  const lines: string[] = [];
  for (const p of differ) {
    lines.push(`run ${p.runs[0]} (${labels[0]}) vs run ${p.runs[1]} (${labels[1]}), experiment ${p.experiment}, seed ${p.seed}: final checkpoints differ`);
    lines.push(...renderRecordDiff(p.diff!, labels).slice(1));
  }
  for (const u of unmatched) {
    lines.push(
      `run ${u.run} (${labels[u.side]}), experiment ${u.experiment}, seed ${u.seed}: no run with the same identity (experiment, config, seed, data, code, backend, versions) in ${labels[1 - u.side]}`,
    );
    if (u.nearest) lines.push(`  nearest: run ${u.nearest.runs[1]} of ${labels[1]}; a seed drawn at random or data that changed gives a new identity`, ...renderRecordDiff(u.nearest, labels).slice(1));
  }
  return lines.join('\n');
}
