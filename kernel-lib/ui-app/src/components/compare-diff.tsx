/** The diff table: one row per entry (config, env, datasets, seed, code, checkpoint, metrics), one column per run. */
import type { Compare, Json } from '../api';
import { formatNumber, formatValue } from '../format';
import { RunRef } from './compare-runs';
import { runColors, sameValue } from './compare-view';

interface Row {
  group: string;
  key: string;
  values: readonly unknown[];
  /** Metrics show each run's change from the first run too. */
  deltas?: readonly (number | null)[];
}

type Fingerprint = { sha256: string; rows: number; columns: number };

/** The rows shown: every entry with `all`, else only those the server found differing (its `differs`). */
function rowsOf(data: Compare, all: boolean): Row[] {
  const { diff } = data;
  const differs = new Set(data.differs);
  const rows: Row[] = [];
  const sections: [string, { [key: string]: readonly unknown[] }][] = [['config', diff.config], ['env', diff.env], ['datasets', diff.datasets]];
  for (const [group, entries] of sections) {
    for (const [key, values] of Object.entries(entries)) if (all || differs.has(`${group}.${key}`)) rows.push({ group, key, values });
  }
  const run: [string, readonly unknown[]][] = [['seed', diff.seed], ['codeHash', diff.codeHash], ['checkpoints', diff.checkpoints]];
  for (const [key, values] of run) if (all || differs.has(key)) rows.push({ group: 'run', key, values });
  for (const key of Object.keys(diff.metrics).sort()) rows.push({ group: 'metrics', key, values: diff.metrics[key].values, deltas: diff.metrics[key].deltas });
  return rows;
}

/** A cell's text: hashes shortened (the full one is the cell's tooltip), datasets as hash and shape. */
function cellText(row: Row, value: unknown): string {
  if (value === null || value === undefined) return '–';
  if (row.group === 'datasets') {
    const d = value as Fingerprint;
    return `${d.sha256.slice(0, 12)} · ${d.rows}×${d.columns}`;
  }
  if ((row.key === 'codeHash' || row.key === 'checkpoints') && typeof value === 'string') return value.slice(0, 12);
  return formatValue(value as Json);
}

function fullText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const signed = (value: number) => `${value > 0 ? '+' : ''}${formatNumber(value)}`;

export function CompareDiff(props: { data: Compare; all: boolean }) {
  const rows = rowsOf(props.data, props.all);
  const colors = runColors(props.data.runs);
  let group = '';
  return (
    <div class="table-scroll tall">
      <table class="view-table diff-table" data-testid="diff-table">
        <thead>
          <tr>
            <th class="sticky">entry</th>
            {props.data.runs.map((run) => (
              <th key={run.id}>
                <RunRef run={run} color={colors.get(run.id)} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.flatMap((row) => {
            const out = [];
            if (row.group !== group) {
              group = row.group;
              out.push(
                <tr key={`group-${group}`} class="group">
                  <th class="sticky">{group}</th>
                  <td colSpan={props.data.runs.length} />
                </tr>,
              );
            }
            out.push(
              <tr key={`${row.group}.${row.key}`} data-entry={`${row.group}.${row.key}`}>
                <th class="sticky" title={row.key}>{row.key}</th>
                {row.values.map((value, i) => (
                  <td key={i} class={i > 0 && !sameValue(value, row.values[0]) ? 'changed' : ''} title={fullText(value)}>
                    {cellText(row, value)}
                    {i > 0 && row.deltas?.[i] != null && row.deltas[i] !== 0 && <span class="delta"> {signed(row.deltas[i]!)}</span>}
                  </td>
                ))}
              </tr>,
            );
            return out;
          })}
        </tbody>
      </table>
      {rows.every((row) => row.group === 'metrics') && <p class="muted">The runs' config, environment, data, seed and code are the same.</p>}
    </div>
  );
}
