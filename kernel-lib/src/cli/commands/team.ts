/** `runs`, `show`, `diff` and `export` on the team store (--db postgres://…): the async read path, the same printers. */
import type { ListColumn, RunDiff, RunSummary, SearchOptions } from '../../query';
import { checkTeamColumns, prefetchTeamCells, withTeamStore } from '../team-store';
import { diffTeamRuns, getTeamRun } from '../../team/read';
import { searchTeamRuns } from '../../team/search';
import { print, printJson } from '../command';
import { searchOptions, summaryJson } from './runs';
import { renderRuns, tableColumns } from './runs-table';
import { renderRun, showJson } from './show';

type RunsValues = { experiment?: string; where?: string; sort?: string; limit?: string; offset?: string; parent?: string; json?: boolean };

export function teamRuns(url: string, values: RunsValues, columns: { column: ListColumn; pos: number }[] | undefined): Promise<number> {
  return withTeamStore(url, async (store) => {
    if (columns) await checkTeamColumns(store, columns, values.experiment);
    const found = await searchTeamRuns(store, searchOptions(values));
    if (values.json) printJson(found.map(summaryJson));
    else if (found.length === 0) print('no runs match');
    else {
      const shown = { columns: columns?.map((c) => c.column), where: values.where, sort: values.sort };
      print(renderRuns(await prefetchTeamCells(store, found, tableColumns(shown)), found, shown));
    }
    return 0;
  });
}

export function teamShow(url: string, id: number, json: boolean | undefined): Promise<number> {
  return withTeamStore(url, async (store) => {
    const run = await getTeamRun(store, id);
    if (json) printJson(showJson(run));
    else print(renderRun(run));
    return 0;
  });
}

export function teamDiff(url: string, ids: number[], all: boolean): Promise<RunDiff> {
  return withTeamStore(url, (store) => diffTeamRuns(store, ids, { all }));
}

export function teamSearch(url: string, options: SearchOptions): Promise<RunSummary[]> {
  return withTeamStore(url, (store) => searchTeamRuns(store, options));
}
