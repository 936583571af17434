/** `labbook sweep show`'s text: the definition in brief, state counts, the best trial and a plain leaderboard (a local or a team sweep). */
import type { LoadedSweep } from '../../sweep/load';
import type { ParamSpec } from '../../sweep/space';
import type { Trial } from '../../sweep/trial';
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
  /** A team sweep's trials: how many workers took it, and the last one. */
  attempts?: number;
  worker?: string | null;
}

/** Complete trials by value (best first, ties by trial number), then running, pruned and failed ones by number. */
export function leaderboard(sweep: SweepView): LeaderboardRow[] {
  const sign = sweep.definition.objective.direction === 'minimize' ? 1 : -1;
  const rows = sweep.trials.map((t, i): LeaderboardRow => ({
    rank: null,
    trial: t.number,
    run: sweep.runIds[i],
    state: t.state,
    value: t.value,
    params: t.params,
    step: sweep.reasons[t.number]?.step ?? null,
    reason: sweep.reasons[t.number]?.reason ?? null,
    ...(sweep.queue ? { attempts: sweep.queue[i].attempts, worker: sweep.queue[i].worker } : {}),
  }));
  const ranked = rows.filter((r) => r.state === 'complete' && r.value !== null).sort((a, b) => sign * (a.value! - b.value!) || a.trial - b.trial);
  ranked.forEach((r, i) => (r.rank = i + 1));
  const order = ['running', 'pruned', 'failed', 'complete'];
  const rest = rows.filter((r) => r.rank === null).sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state) || a.trial - b.trial);
  return [...ranked, ...rest];
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
  const best = board[0]?.rank === 1 ? board[0] : null;
  const lines = [
    `sweep ${sweep.id}  ${cell(d.experiment)}  ${head.status}${head.resumed ? ' (resumed)' : ''}  seed ${d.seed}`,
    `objective: ${d.objective.direction} ${cell(d.objective.metric)}${d.objective.intermediate !== d.objective.metric ? ` (pruned on ${cell(d.objective.intermediate)})` : ''}`,
    `sampler: ${d.sampler.name}${Object.keys(d.sampler.options).length ? ` ${JSON.stringify(d.sampler.options)}` : ''}   pruner: ${d.pruner.name}${Object.keys(d.pruner.options).length ? ` ${JSON.stringify(d.pruner.options)}` : ''}`,
    `budget: ${[d.budget.trials !== null ? `${d.budget.trials} trials` : null, d.budget.timeS !== null ? `${d.budget.timeS} s` : null].filter(Boolean).join(', ')}${head.stopped ? `   stopped: ${cell(head.stopped)}` : ''}`,
    `space: ${Object.entries(d.space).map(([k, s]) => `${cell(k)} ${spec(s)}`).join('; ')}`,
    `trials: ${sweep.trials.length} (${Object.entries(c).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ') || 'none yet'})`,
    best ? `best: trial ${best.trial} (run ${best.run ?? 'not synced yet'}) ${cell(d.objective.metric)} ${formatNumber(best.value!)}  ${cell(params(best.params))}` : 'best: none (no trial has completed)',
  ];
  if (board.length === 0) return lines.join('\n');
  const rows = board.map((r) => [
    r.rank ?? '-',
    r.trial,
    r.run ?? '-',
    r.state,
    r.value === null ? '-' : formatNumber(r.value),
    params(r.params),
    r.state === 'pruned' && r.step !== null ? r.step : '',
    ...(sweep.queue ? [r.attempts, r.worker ?? '-'] : []),
  ]);
  // Reasons are sentences: whole, under the table, rather than cut to a column.
  const why = board.filter((r) => r.reason).sort((a, b) => a.trial - b.trial).map((r) => `  trial ${r.trial} ${r.state}: ${cell(r.reason)}`);
  const header = ['rank', 'trial', 'run', 'state', d.objective.metric, 'params', 'pruned_step', ...(sweep.queue ? ['attempts', 'worker'] : [])];
  const table = fitTable(header, rows, 120, 0, [4]);
  return `${lines.join('\n')}\n\n${table}${why.length ? `\n\nwhy trials stopped:\n${why.join('\n')}` : ''}`;
}
