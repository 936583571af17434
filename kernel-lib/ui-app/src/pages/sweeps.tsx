/** Every sweep: its trials by state, its objective and best trial so far. */
import { useApi } from '../use-api';
import { api } from '../api';
import { Link } from '../components/link';
import { StatusBadge } from '../components/status';
import { Objective, StateCounts } from '../components/sweep-summary';
import { formatNumber, formatTime } from '../format';

export function SweepsPage(_props: {}) {
  const { data: sweeps, error } = useApi((signal) => api.sweeps(signal), []);

  if (error !== null) return <p class="error">{error.message}</p>;
  if (sweeps === null) return <p class="muted">Loading the sweeps…</p>;
  return (
    <div class="view">
      <h1>Sweeps</h1>
      {sweeps.length === 0 ? (
        <p class="note">
          No sweeps in this registry yet. A sweep searches an experiment's hyperparameters: <code>npx labbook sweep</code> runs one, and its
          trials appear here as they finish.
        </p>
      ) : (
        <div class="table-scroll">
          <table class="view-table">
            <thead>
              <tr>
                <th>sweep</th>
                <th>experiment</th>
                <th>status</th>
                <th class="num">trials</th>
                <th>states</th>
                <th>objective</th>
                <th class="num">best</th>
                <th>started</th>
              </tr>
            </thead>
            <tbody>
              {sweeps.map((sweep) => (
                <tr key={sweep.id} data-testid="sweep-row">
                  <td>
                    <Link href={`/sweeps/${sweep.id}`}>#{sweep.id}{sweep.name ? ` ${sweep.name}` : ''}</Link>
                  </td>
                  <td>{sweep.experiment}</td>
                  <td>
                    <StatusBadge status={sweep.status} />
                  </td>
                  <td class="num">{sweep.trials}</td>
                  <td>
                    <StateCounts states={sweep.states} />
                  </td>
                  <td>
                    <Objective objective={sweep.objective} />
                  </td>
                  <td class="num">
                    {sweep.best === null ? (
                      '–'
                    ) : (
                      <Link href={`/runs/${sweep.best.run}`} title={`trial ${sweep.best.trial}, run ${sweep.best.run}`}>
                        {formatNumber(sweep.best.value)} <span class="muted">trial {sweep.best.trial}</span>
                      </Link>
                    )}
                  </td>
                  <td>{formatTime(sweep.startedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
