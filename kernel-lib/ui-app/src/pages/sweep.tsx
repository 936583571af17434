/** One sweep: its definition, its trials, the optimization history, params against the objective, and a link to compare the best. */
import { useState } from 'preact/hooks';
import { useApi } from '../use-api';
import { api } from '../api';
import { Link } from '../components/link';
import { ParallelCoordinates } from '../components/parallel-coordinates';
import { StatusBadge } from '../components/status';
import { asObject, axisHint, paramNames, SweepDefinition } from '../components/sweep-definition';
import { SweepHistory } from '../components/sweep-history';
import { Objective, StateCounts } from '../components/sweep-summary';
import { rankTrials, SweepTrials } from '../components/sweep-trials';
import { formatDuration, formatNumber, formatTime } from '../format';

/** The most runs "Compare top N" offers: more stops being readable as overlaid curves. */
const MAX_COMPARED = 10;

function CompareTop(props: { runs: number[]; metric: string }) {
  const most = Math.min(MAX_COMPARED, props.runs.length);
  const [chosen, setN] = useState(most);
  if (most < 2) return null;
  const n = Math.min(chosen, most);
  const counts = Array.from({ length: most - 1 }, (_, i) => i + 2);
  return (
    <span class="compare-top">
      <Link href={`/compare?ids=${props.runs.slice(0, n).join(',')}&metric=${encodeURIComponent(props.metric)}`}>Compare top {n}</Link>{' '}
      <select value={n} title="how many of the best trials" onChange={(e) => setN(Number((e.currentTarget as HTMLSelectElement).value))}>
        {counts.map((count) => (
          <option key={count} value={count}>{count}</option>
        ))}
      </select>
    </span>
  );
}

export function SweepPage(props: { id: number }) {
  const { data: detail, error } = useApi((signal) => api.sweep(props.id, signal), [props.id]);

  if (error !== null) {
    return (
      <p class="error">
        {error.message} <Link href="/sweeps">Back to the sweeps</Link>.
      </p>
    );
  }
  if (detail === null) return <p class="muted">Loading the sweep…</p>;
  const { sweep, trials, definition } = detail;
  const declared = asObject(asObject(definition)?.objective);
  const metric = sweep.objective?.metric ?? (typeof declared?.metric === 'string' ? declared.metric : 'value');
  const direction = sweep.objective?.direction ?? (declared?.direction === 'maximize' ? 'maximize' : 'minimize');
  const params = paramNames(definition);
  const ranked = rankTrials(trials, direction);

  return (
    <div class="view">
      <h1>
        Sweep #{sweep.id}{sweep.name === null ? '' : ` ${sweep.name}`} <span class="muted">{sweep.experiment}</span> <StatusBadge status={sweep.status} />
      </h1>
      <dl class="facts">
        <dt>trials</dt>
        <dd>
          {sweep.trials} <StateCounts states={sweep.states} />
        </dd>
        <dt>objective</dt>
        <dd>
          <Objective objective={sweep.objective} />
        </dd>
        <dt>best</dt>
        <dd>
          {sweep.best === null ? '–' : <Link href={`/runs/${sweep.best.run}`}>{`${formatNumber(sweep.best.value)} (trial ${sweep.best.trial}, run #${sweep.best.run})`}</Link>}{' '}
          <CompareTop runs={ranked.map((t) => t.run)} metric={metric} />
        </dd>
        <dt>started</dt>
        <dd>
          {formatTime(sweep.startedAt)} <span class="muted">({formatDuration(sweep.startedAt, sweep.endedAt)})</span> · <Link href={`/runs/${sweep.id}`}>parent run</Link>
        </dd>
      </dl>

      <h2>Definition</h2>
      <SweepDefinition definition={definition} />

      <h2>Trials</h2>
      <SweepTrials trials={trials} params={params} best={sweep.best?.trial ?? null} />

      <h2>Optimization history</h2>
      <SweepHistory trials={trials} metric={metric} direction={direction} />

      <h2>Parameters against {metric}</h2>
      <ParallelCoordinates
        testid="parallel-coordinates"
        dims={params.map((name) => ({ label: name, values: trials.map((t) => t.params[name]), hint: axisHint(definition, name) }))}
        lines={trials.map((t) => ({ label: `trial ${t.number} (run #${t.run}, ${t.state})`, href: `/runs/${t.run}` }))}
        color={{ label: metric, values: trials.map((t) => t.value), higherIsBetter: direction === 'maximize' }}
      />
    </div>
  );
}
