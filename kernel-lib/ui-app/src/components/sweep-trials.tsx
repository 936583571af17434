/** A sweep's trials, one row each (params as columns, the pruner's step and reason), and their ranking by the objective. */
import type { TrialItem } from '../api';
import { formatNumber, formatValue } from '../format';
import { Link } from './link';
import { StatusBadge } from './status';

/** Trials with a value, best first. */
export function rankTrials(trials: readonly TrialItem[], direction: 'minimize' | 'maximize'): TrialItem[] {
  const sign = direction === 'maximize' ? -1 : 1;
  return trials.filter((t) => t.value !== null).sort((a, b) => sign * (a.value! - b.value!));
}

export function SweepTrials(props: { trials: TrialItem[]; params: string[]; best: number | null }) {
  if (props.trials.length === 0) return <p class="muted">No trial has started yet.</p>;
  return (
    <div class="table-scroll">
      <table class="view-table" data-testid="trials">
        <thead>
          <tr>
            <th class="num">trial</th>
            <th>run</th>
            <th>state</th>
            {props.params.map((name) => (
              <th key={name}>{name}</th>
            ))}
            <th class="num">value</th>
            <th class="num">pruned at</th>
            <th>reason</th>
          </tr>
        </thead>
        <tbody>
          {props.trials.map((trial) => (
            <tr key={trial.number} data-testid="trial-row" class={trial.number === props.best ? 'best' : ''}>
              <td class="num">{trial.number}</td>
              <td>
                <Link href={`/runs/${trial.run}`}>#{trial.run}</Link>
              </td>
              <td>
                <StatusBadge status={trial.state} />
              </td>
              {props.params.map((name) => (
                <td key={name}>{name in trial.params ? formatValue(trial.params[name]) : '–'}</td>
              ))}
              <td class="num">{formatNumber(trial.value)}</td>
              <td class="num">{trial.prunedStep === null ? '' : `step ${trial.prunedStep}`}</td>
              <td class="wrap">{trial.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
