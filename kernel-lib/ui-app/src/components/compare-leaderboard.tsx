/** The leaderboard: runs ranked by one metric's latest value, with the gap to the best and the config values that vary. */
import type { Compare, Json, RunItem } from '../api';
import { formatNumber, formatValue, higherIsBetter } from '../format';
import { RunRef } from './compare-runs';
import { metricKeys, runColors, varyingConfig } from './compare-view';

export function MetricSelect(props: { data: Compare; metric: string | null; onChange: (metric: string) => void }) {
  return (
    <label>
      metric{' '}
      <select value={props.metric ?? ''} onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}>
        {metricKeys(props.data).map((key) => (
          <option key={key} value={key}>{key}</option>
        ))}
      </select>
    </label>
  );
}

/** null in the diff means the run lacks the key. */
const cell = (value: Json | undefined) => (value === null || value === undefined ? '–' : formatValue(value));

interface Entry {
  run: RunItem;
  value: number | null;
  index: number;
}

/** Best first; runs without a value (never logged, or NaN) last. */
export function rank(data: Compare, metric: string): Entry[] {
  const values = data.diff.metrics[metric]?.values ?? [];
  const sign = higherIsBetter(metric) ? -1 : 1;
  return data.runs
    .map((run, index) => ({ run, value: values[index] ?? null, index }))
    .sort((a, b) => (a.value === null ? (b.value === null ? 0 : 1) : b.value === null ? -1 : sign * (a.value - b.value)));
}

export function CompareLeaderboard(props: { data: Compare; metric: string | null }) {
  const { data, metric } = props;
  if (metric === null) return <p class="muted">These runs logged no metrics.</p>;
  const ranked = rank(data, metric);
  const best = ranked[0]?.value ?? null;
  const config = varyingConfig(data);
  const colors = runColors(data.runs);
  return (
    <div class="table-scroll tall">
      <table class="view-table" data-testid="leaderboard">
        <thead>
          <tr>
            <th class="sticky rank">rank</th>
            <th class="sticky after-rank">run</th>
            <th class="num">{metric}</th>
            <th class="num">Δ best</th>
            {config.map((key) => (
              <th key={key}>{key}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {ranked.map((entry, i) => (
            <tr key={entry.run.id}>
              <td class="num sticky rank">{entry.value === null ? '–' : i + 1}</td>
              <th class="sticky after-rank">
                <RunRef run={entry.run} color={colors.get(entry.run.id)} />
              </th>
              <td class="num">{formatNumber(entry.value)}</td>
              <td class="num muted">{entry.value === null || best === null || i === 0 ? '' : formatNumber(entry.value - best)}</td>
              {config.map((key) => (
                <td key={key}>{cell(data.diff.config[key][entry.index])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">{higherIsBetter(metric) ? 'Higher is better' : 'Lower is better'} for {metric} (judged by its name).</p>
    </div>
  );
}
