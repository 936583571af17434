/** One run (`/runs/:id`): what it is, its charts and everything recorded about it; refreshed live while it runs. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiFailure, type RunDetail } from '../api';
import { Link } from '../components/link';
import { RunArtifacts } from '../components/run-artifacts';
import { RunCharts } from '../components/run-charts';
import { RunReproduce } from '../components/run-reproduce';
import { RunSections } from '../components/run-sections';
import { StatusBadge } from '../components/status';
import { formatDuration, formatTime, runLabel } from '../format';
import { useRunEvents } from '../live';

const MAX_CHILD_LINKS = 50;

/** The runs table filtered to `field = 'value'` (quotes doubled, as the filter language reads them). */
const runsWhere = (field: string, value: string | number) =>
  `/?where=${encodeURIComponent(`${field} = ${typeof value === 'number' ? value : `'${value.replace(/'/g, "''")}'`}`)}`;

function Header({ run }: { run: RunDetail }) {
  const trial = run.parent !== null && run.tags['sweep.trial'] !== undefined;
  const children = run.children.slice(0, MAX_CHILD_LINKS);
  return (
    <header class="run-header">
      <h1>
        <span data-testid="run-title">{runLabel(run)}</span> <StatusBadge status={run.status} />
      </h1>
      <dl class="facts">
        <dt>id</dt>
        <dd>{run.id}</dd>
        <dt>experiment</dt>
        <dd>
          <Link href={runsWhere('experiment', run.experiment)}>{run.experiment}</Link>
        </dd>
        <dt>seed</dt>
        <dd>{run.seed}</dd>
        <dt>started</dt>
        <dd>{formatTime(run.startedAt)}</dd>
        <dt>duration</dt>
        <dd>{formatDuration(run.startedAt, run.endedAt)}</dd>
        <dt>host</dt>
        <dd>{run.host}</dd>
        {run.parent !== null && (
          <>
            <dt>parent</dt>
            <dd>
              <Link href={`/runs/${run.parent}`}>run {run.parent}</Link>
              {trial && (
                <>
                  {' '}
                  (<Link href={`/sweeps/${run.parent}`}>sweep {run.parent}</Link>, trial {run.tags['sweep.trial']})
                </>
              )}
            </dd>
          </>
        )}
        {run.sweep && (
          <>
            <dt>sweep</dt>
            <dd>
              <Link href={`/sweeps/${run.id}`}>this run is a sweep: see its trials</Link>
            </dd>
          </>
        )}
        {run.children.length > 0 && (
          <>
            <dt>children</dt>
            <dd class="children">
              {children.map((id) => (
                <Link key={id} href={`/runs/${id}`}>
                  {id}
                </Link>
              ))}
              {run.children.length > children.length && <Link href={runsWhere('parent', run.id)}>all {run.children.length}…</Link>}
            </dd>
          </>
        )}
      </dl>
    </header>
  );
}

export function RunPage({ id }: { id: number }) {
  // Kept with the id it is for: another run's page never shows this one's record or error.
  const [state, setState] = useState<{ id: number; run: RunDetail | null; error: Error | null }>({ id, run: null, error: null });
  const [version, setVersion] = useState(0);
  const { run, error } = state.id === id ? state : { run: null, error: null };
  const running = useRef(false);
  running.current = run?.status === 'running';

  useEffect(() => {
    const abort = new AbortController();
    api.run(id, abort.signal).then(
      (detail) => setState({ id, run: detail, error: null }),
      (e: Error) => abort.signal.aborted || setState((s) => ({ id, run: s.id === id ? s.run : null, error: e })),
    );
    return () => abort.abort();
  }, [id, version]);
  // A finished run does not change; a running one is fetched again (in place, no flash) as it logs.
  useRunEvents(() => running.current && setVersion((v) => v + 1));

  if (error && !run) {
    return (
      <article class="run-page">
        <p class="error" data-testid="run-load-error" role="alert">
          {error instanceof ApiFailure ? error.message : `Could not reach the labbook server (${error.message}).`}{' '}
          {!(error instanceof ApiFailure && error.status === 404) && (
            <button type="button" onClick={() => setVersion((v) => v + 1)}>
              Retry
            </button>
          )}{' '}
          <Link href="/">Back to the runs</Link>
        </p>
      </article>
    );
  }
  if (!run) {
    return (
      <article class="run-page">
        <p class="muted">Loading run {id}…</p>
      </article>
    );
  }
  return (
    <article class="run-page">
      <Header run={run} />
      {error && <p class="error">Could not refresh this run: {error.message}</p>}
      {run.error !== null && (
        <pre class={`run-error status-${run.status}`} data-testid="run-error">
          {run.error}
        </pre>
      )}
      <RunReproduce command={run.reproduce} />
      {/* Keyed by run: another run's page starts empty rather than showing this one's charts while it loads. */}
      <RunCharts key={run.id} runId={run.id} startedAt={run.startedAt} refresh={version} />
      <RunArtifacts key={run.id} runId={run.id} artifacts={run.artifacts} />
      <RunSections run={run} />
    </article>
  );
}
