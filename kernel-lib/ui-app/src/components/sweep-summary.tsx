/** A sweep in brief: its trials counted by state, its objective. */
import type { SweepItem } from '../api';

/** The states a sweep's trials end in, in the order a reader scans them; any other state follows. */
const STATES = ['complete', 'pruned', 'failed', 'running'];

export function StateCounts(props: { states: { [state: string]: number } }) {
  const names = [...STATES.filter((s) => props.states[s]), ...Object.keys(props.states).filter((s) => !STATES.includes(s)).sort()];
  return (
    <span class="badges">
      {names.map((state) => (
        <span key={state} class={`badge status-${state}`} title={`${props.states[state]} ${state}`}>
          {props.states[state]} {state}
        </span>
      ))}
    </span>
  );
}

export function Objective(props: { objective: SweepItem['objective'] }) {
  if (props.objective === null) return <span class="muted">–</span>;
  return (
    <span>
      {props.objective.metric} <span class="muted">{props.objective.direction === 'minimize' ? '↓ minimize' : '↑ maximize'}</span>
    </span>
  );
}
