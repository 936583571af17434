/** The run registry: SQLite store, run lifecycle and the fluent run API. */
export { openRegistry, Registry } from './registry';
export type { OpenRegistryOptions, StartRunOptions } from './registry';
export { Run } from './run';
export type { EndStatus, RunTiming } from './run';
export { openDatabase } from './database';
export type { Db } from './database';
export { readRun, readMetricHistory } from './read';
export {
  CLASSIFICATION_REPORT_MEDIA_TYPE,
  FIGURE_MEDIA_TYPE,
  isFigureSpec,
  readClassificationReport,
  readFigure,
  readJsonArtifact,
} from './artifacts';
export type { ArtifactData, ClassificationReportSpec, FigureSpec, StoredArtifact } from './artifacts';
export { resolveDbPath } from './paths';
export { SCHEMA_VERSION } from './migrations';
export * from './types';
