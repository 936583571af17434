/** The runs compared, as the legend of every chart: colour, link, status, a remove button, and the permalink to copy. */
import { useState } from 'preact/hooks';
import type { RunItem } from '../api';
import { runLabel } from '../format';
import { Link } from './link';
import { StatusBadge } from './status';
import { runColors } from './compare-view';

/** A run's colour swatch and a link to its page: how every table of the compare page names a run. */
export function RunRef(props: { run: RunItem; color: string | undefined }) {
  return (
    <Link href={`/runs/${props.run.id}`} title={runLabel(props.run)}>
      <span class="swatch" style={{ background: props.color }} />#{props.run.id} {props.run.name ?? ''}
    </Link>
  );
}

export function CompareRuns(props: { runs: RunItem[]; onRemove: (id: number) => void }) {
  const [copied, setCopied] = useState('');
  const copy = () =>
    navigator.clipboard.writeText(window.location.href).then(
      () => setCopied('Copied.'),
      // No clipboard (an insecure origin, a denied permission): the address bar holds the same link.
      () => setCopied('Copy the address bar: it is this view’s permalink.'),
    );
  // Compare needs two runs: the last two cannot be removed.
  const removable = props.runs.length > 2;
  const colors = runColors(props.runs);
  return (
    <div class="compare-runs">
      <ul class="legend">
        {props.runs.map((run) => (
          <li key={run.id}>
            <RunRef run={run} color={colors.get(run.id)} /> <span class="muted">{run.experiment}</span> <StatusBadge status={run.status} />
            {removable && (
              <button type="button" class="remove" title={`Remove run ${run.id} from the comparison`} onClick={() => props.onRemove(run.id)}>
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      <button type="button" onClick={copy}>Copy link</button> <span class="muted">{copied}</span>
    </div>
  );
}
