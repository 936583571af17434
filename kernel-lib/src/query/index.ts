/** The query layer's public surface: run search, tables/frames, diffs and aligned histories. */
export { compileFilter, type CompiledSql } from './compile';
export { compileSort } from './sort';
export { checkColumns, columnCells, IDENTITY_COLUMNS, parseColumns, type ListColumn } from './columns';
export { searchRuns, type RunSummary, type SearchOptions } from './search';
export { runsTable, runsFrame, type RunsTable, type Cell } from './table';
export { diffRecords, diffRuns, finalCheckpoint, type RunDiff, type DiffOptions, type DatasetFingerprint } from './diff';
export { metricHistories, type HistoryRun, type MetricHistories, type MetricSeries } from './histories';
export type { RunSource } from './source';
