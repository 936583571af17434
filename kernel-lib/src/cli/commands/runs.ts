/** `labbook runs`: list runs, filtered and sorted with the query language. */
import { runsTable, searchRuns, type RunSummary, type SearchOptions } from '../../query';
import { parse, toInt } from '../args';
import { type Command, isoTime, print, printJson, withRegistry } from '../command';
import { formatTime, table } from '../format';

const usage = 'labbook runs [--experiment NAME] [--where EXPR] [--sort FIELD|-FIELD] [--limit N] [--offset N] [--parent ID] [--db PATH] [--json]';

export const QUERY_OPTIONS = {
  experiment: { type: 'string' },
  where: { type: 'string' },
  sort: { type: 'string' },
  limit: { type: 'string' },
  offset: { type: 'string' },
  parent: { type: 'string' },
} as const;

export const runs: Command = {
  name: 'runs',
  summary: 'list runs (filter with --where, sort with --sort)',
  usage,
  run(argv) {
    const { values } = parse(argv, QUERY_OPTIONS, usage);
    return withRegistry(values.db, (registry) => {
      const found = searchRuns(registry, {
        experiment: values.experiment,
        where: values.where,
        sort: values.sort,
        limit: toInt('--limit', values.limit),
        offset: toInt('--offset', values.offset, 0),
        parent: toInt('--parent', values.parent),
    });
    if (values.json) printJson(found.map(summaryJson));
    else print(found.length === 0 ? 'no runs match' : renderRuns(found));
    return 0;
    });
  },
};

/** The search that --experiment/--where/--sort/--limit/--offset describe. */
export function searchOptions(values: { experiment?: string; where?: string; sort?: string; limit?: string; offset?: string; parent?: string }): SearchOptions {
  return {
    experiment: values.experiment,
    where: values.where,
    sort: values.sort,
    limit: toInt('--limit', values.limit),
    offset: toInt('--offset', values.offset, 0),
    parent: toInt('--parent', values.parent),
  };
}

export function summaryJson(run: RunSummary) {
  return {
    id: run.id,
    experiment: run.experiment,
    name: run.name,
    status: run.status,
    seed: run.seed,
    startedAt: isoTime(run.startedAt),
    endedAt: isoTime(run.endedAt),
    parent: run.parent,
    config: run.config,
    metrics: run.metrics,
    tags: run.tags,
  };
}

/** Config columns that are the same in every listed run say nothing, so only varying ones show. */
function renderRuns(found: RunSummary[]): string {
  const { columns, rows } = runsTable(found);
  const keep = columns.map((name, i) => {
    if (name === 'started_at') return true;
    if (!name.startsWith('config.')) return true;
    const first = JSON.stringify(rows[0][i]);
    return rows.some((r) => JSON.stringify(r[i]) !== first);
  });
  const startedAt = columns.indexOf('started_at');
  return table(
    columns.filter((_, i) => keep[i]),
    rows.map((r) => r.map((c, i) => (i === startedAt ? formatTime(c as number) : c)).filter((_, i) => keep[i]) as (string | number | null)[]),
  );
}
