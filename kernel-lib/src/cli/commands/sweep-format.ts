/** `labbook sweep show`'s text and page: the definition in brief, state counts, the best trial, importance and the leaderboard (a local or a team sweep). */
import type { LoadedSweep } from '../../sweep/load';
import type { ParamSpec } from '../../sweep/space';
import type { Trial } from '../../sweep/trial';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeLibraryBeside, type LibraryPlacement } from '../../display/plotly';
import { sweepPage } from '../../display/sweep';
import { bestTrial, leaderboard as rankTrials, paramImportance } from '../../sweep/analysis';
import { cell, fitTable, formatNumber } from '../format';

/**
 * A sweep as shown: a local one (loadSweep) or a team one, whose trials may have no run yet (not
 * synced) and carry the queue's attempts and worker.
 */
export interface SweepView extends Pick<LoadedSweep, 'id' | 'definition' | 'trials' | 'reasons'> {
  runIds: readonly (number | null)[];
  queue?: readonly { attempts: number; worker: string | null }[];
}

/** The sweep's own state: the local parent run's status and tags, or the team sweep's status. */
export interface SweepHead {
  status: string;
  resumed: boolean;
  stopped: string | null;
}

export interface LeaderboardRow {
  rank: number | null;
  trial: number;
  run: number | null;
  state: Trial['state'];
  value: number | null;
  params: Trial['params'];
  /** A pruned trial's step and the pruner's reason; a failed trial's failure. */
  step: number | null;
  reason: string | null;
  /** A pruned trial's last intermediate value, what it is ranked by (its objective is not final). */
  last: number | null;
  /** A team sweep's trials: how many workers took it, and the last one. */
  attempts?: number;
  worker?: string | null;
}

/**
 * Sweep analysis's ranking (complete trials by value, then pruned ones by their last intermediate
 * value, then failed and running ones unranked), with what the CLI adds: each trial's run, the
 * pruner's or the failure's reason, and for a team sweep the queue's attempts and worker.
 */
export function leaderboard(sweep: SweepView): LeaderboardRow[] {
  const index = new Map(sweep.trials.map((t, i) => [t.number, i]));
  return rankTrials(sweep.trials, sweep.definition.objective.direction).map((r) => {
    const i = index.get(r.number)!;
    const trial = sweep.trials[i];
    return {
      // A pruned trial is ranked by its last intermediate value: shown apart from the objective (`last`).
      rank: r.rank,
      trial: r.number,
      run: sweep.runIds[i],
      state: r.state,
      value: r.state === 'pruned' ? null : trial.value,
      last: r.state === 'pruned' ? r.value : null,
      params: r.params,
      step: sweep.reasons[r.number]?.step ?? r.step,
      reason: sweep.reasons[r.number]?.reason ?? null,
      ...(sweep.queue ? { attempts: sweep.queue[i].attempts, worker: sweep.queue[i].worker } : {}),
    };
  });
}

/** The best complete trial's row, or null; importance by PED-ANOVA (sweep analysis). */
export function analysis(sweep: SweepView): { best: LeaderboardRow | null; importance: { [param: string]: number } } {
  const best = bestTrial(sweep.trials, sweep.definition.objective.direction);
  return {
    best: best === null ? null : leaderboard(sweep).find((r) => r.trial === best.number) ?? null,
    importance: paramImportance(sweep.definition.space, sweep.trials, sweep.definition.objective.direction),
  };
}

/** `--html FILE`: the leaderboard, best trial, importance and the four figures as one page (plotly.js beside it, or inline). */
export function writeSweepPage(sweep: SweepView, file: string, inline: boolean): string {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  const library: LibraryPlacement = inline ? 'inline' : { src: writeLibraryBeside(path) };
  writeFileSync(path, sweepPage(sweep, { title: `Sweep ${sweep.id}: ${sweep.definition.experiment}`, limit: sweep.trials.length || 1, library }));
  return path;
}

export function counts(sweep: SweepView): { [state: string]: number } {
  const out: { [state: string]: number } = { complete: 0, pruned: 0, failed: 0, running: 0 };
  for (const t of sweep.trials) out[t.state]++;
  return out;
}

const params = (p: Trial['params']): string => Object.entries(p).map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : JSON.stringify(v)}`).join(' ');

function spec(s: ParamSpec): string {
  if (s.kind === 'choice') return `choice(${s.choices.map((c) => JSON.stringify(c)).join(', ')})`;
  if (s.kind === 'int') return `int(${s.low}, ${s.high}${s.step !== 1 ? `, step ${s.step}` : ''}${s.log ? ', log' : ''})`;
  return `${s.kind}(${s.low}, ${s.high})`;
}

export function renderSweep(sweep: SweepView, head: SweepHead): string {
  const d = sweep.definition;
  const c = counts(sweep);
  const board = leaderboard(sweep);
  const { best, importance } = analysis(sweep);
  const shares = Object.entries(importance).sort((a, b) => b[1] - a[1]);
  const lines = [
    `sweep ${sweep.id}  ${cell(d.experiment)}  ${head.status}${head.resumed ? ' (resumed)' : ''}  seed ${d.seed}`,
    `objective: ${d.objective.direction} ${cell(d.objective.metric)}${d.objective.intermediate !== d.objective.metric ? ` (pruned on ${cell(d.objective.intermediate)})` : ''}`,
    `sampler: ${d.sampler.name}${Object.keys(d.sampler.options).length ? ` ${JSON.stringify(d.sampler.options)}` : ''}   pruner: ${d.pruner.name}${Object.keys(d.pruner.options).length ? ` ${JSON.stringify(d.pruner.options)}` : ''}`,
    `budget: ${[d.budget.trials !== null ? `${d.budget.trials} trials` : null, d.budget.timeS !== null ? `${d.budget.timeS} s` : null].filter(Boolean).join(', ')}${head.stopped ? `   stopped: ${cell(head.stopped)}` : ''}`,
    `space: ${Object.entries(d.space).map(([k, s]) => `${cell(k)} ${spec(s)}`).join('; ')}`,
    `trials: ${sweep.trials.length} (${Object.entries(c).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ') || 'none yet'})`,
    best ? `best: trial ${best.trial} (run ${best.run ?? 'not synced yet'}) ${cell(d.objective.metric)} ${formatNumber(best.value!)}  ${cell(params(best.params))}` : 'best: none (no trial has completed)',
    ...(best ? [`importance (PED-ANOVA): ${shares.map(([k, v]) => `${cell(k)} ${formatNumber(Number(v.toFixed(3)))}`).join('  ')}`] : []),
  ];
  const pruned = board.some((r) => r.state === 'pruned');
  if (board.length === 0) return lines.join('\n');
  const rows = board.map((r) => [
    r.rank ?? '-',
    r.trial,
    r.run ?? '-',
    r.state,
    r.value === null ? '-' : formatNumber(r.value),
    ...(pruned ? [r.last === null ? '' : formatNumber(r.last)] : []),
    params(r.params),
    r.state === 'pruned' && r.step !== null ? r.step : '',
    ...(sweep.queue ? [r.attempts, r.worker ?? '-'] : []),
  ]);
  // Reasons are sentences: whole, under the table, rather than cut to a column.
  const why = board.filter((r) => r.reason).sort((a, b) => a.trial - b.trial).map((r) => `  trial ${r.trial} ${r.state}: ${cell(r.reason)}`);
  const header = ['rank', 'trial', 'run', 'state', d.objective.metric, ...(pruned ? [`last ${d.objective.intermediate}`] : []), 'params', 'pruned_step', ...(sweep.queue ? ['attempts', 'worker'] : [])];
  const table = fitTable(header, rows, 120, 0, pruned ? [4, 5] : [4]);
  return `${lines.join('\n')}\n\n${table}${why.length ? `\n\nwhy trials stopped:\n${why.join('\n')}` : ''}`;
}
