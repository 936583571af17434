/** The API's answers assembled from what a source reads: a run's page, a comparison. Pure: no I/O. */
import { diffRecords } from '../query/diff';
import type { Json, RunRecord } from '../registry/types';
import type { Compare, CompareSeries, RunDetail, RunItem } from './api';
import { SWEEP_PARENT_TAG } from './sweeps';

export function runDetail(run: RunRecord, reproduce: string): RunDetail {
  const { pid: _pid, ...rest } = run;
  const env = run.env;
  return {
    ...rest,
    provenance: {
      notebook: (env.notebook ?? null) as RunDetail['provenance']['notebook'],
      git: env.git ?? null,
      codeHash: run.codeHash,
      configHash: run.configHash,
      lockfileSha256: env.lockfileSha256 ?? null,
    },
    reproduce,
    sweep: run.tags[SWEEP_PARENT_TAG[0]] === SWEEP_PARENT_TAG[1],
  };
}

/** A full record as a table row: the latest value of each metric. */
function recordItem(run: RunRecord): RunItem {
  const metrics: RunItem['metrics'] = {};
  for (const [key, latest] of Object.entries(run.metrics)) Object.defineProperty(metrics, key, { value: latest.value, enumerable: true, writable: true, configurable: true });
  const { id, experiment, name, status, seed, startedAt, endedAt, parent, config, tags } = run;
  return { id, experiment, name, status, seed, startedAt, endedAt, parent, config, metrics, tags };
}

/** The comparison of `records` (in the order asked): every diff entry, and the names of those that differ. */
export function compareView(records: readonly RunRecord[], series: Map<number, CompareSeries[]>): Compare {
  const diff = diffRecords(records, { all: true });
  const same = (values: readonly unknown[]) => values.every((v) => JSON.stringify(v) === JSON.stringify(values[0]));
  const differs: string[] = [];
  const section = (prefix: string, entries: { [key: string]: readonly unknown[] }) => {
    for (const [key, values] of Object.entries(entries)) if (!same(values)) differs.push(`${prefix}.${key}`);
  };
  section('config', diff.config as { [key: string]: Json[] });
  section('env', diff.env);
  section('datasets', diff.datasets);
  if (!same(diff.seed)) differs.push('seed');
  if (!same(diff.codeHash)) differs.push('codeHash');
  if (!same(diff.checkpoints)) differs.push('checkpoints');
  return {
    runs: records.map(recordItem),
    diff,
    differs,
    series: Object.fromEntries(records.map((r) => [String(r.id), series.get(r.id) ?? []])),
  };
}
