/** A run's status as a coloured badge (class status-<status>, for tests and styles). */
import type { RunStatus } from '../api';

export function StatusBadge(props: { status: RunStatus | string }) {
  return <span class={`badge status-${props.status}`}>{props.status}</span>;
}
