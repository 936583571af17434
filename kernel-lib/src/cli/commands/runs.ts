/** `labbook runs`: list runs, filtered and sorted with the query language. */
import { checkColumns, parseColumns, searchRuns, type RunSummary, type SearchOptions } from '../../query';
import { parse, toInt } from '../args';
import { type Command, isoTime, print, printJson, withRegistry } from '../command';
import { teamUrl } from '../team-store';
import { renderRuns } from './runs-table';

const usage = 'labbook runs [--experiment NAME] [--where EXPR] [--sort FIELD|-FIELD] [--limit N] [--offset N] [--columns A,B,...] [--parent ID] [--db PATH] [--json]';

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
    const { values } = parse(argv, { ...QUERY_OPTIONS, columns: { type: 'string' } }, usage);
    const columns = values.columns === undefined ? undefined : parseColumns(values.columns);
    const team = teamUrl(values.db);
    if (team) return (require('./team') as typeof import('./team')).teamRuns(team, values, columns);
    return withRegistry(values.db, (registry) => {
      if (columns) checkColumns(registry.db, columns, values.experiment);
      const found = searchRuns(registry, searchOptions(values));
    if (values.json) printJson(found.map(summaryJson));
    else print(found.length === 0 ? 'no runs match' : renderRuns(registry.db, found, { columns: columns?.map((c) => c.column), where: values.where, sort: values.sort }));
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
    durationSeconds: run.endedAt === null ? null : (run.endedAt - run.startedAt) / 1000,
    parent: run.parent,
    config: run.config,
    metrics: run.metrics,
    tags: run.tags,
  };
}
