/** Monitoring a served model (issue 11): drift statistics, reference profiles, the store `labbook serve` samples into, reports with alerts, and their notebook view. */

export * from './drift';
export { report, type LatencyWindow, type MonitorReport, type ReportOptions } from './report';
export { DEFAULT_LIMITS, type Alert, type AlertCode, type AlertLimits } from './alerts';
export { monitorFigure, showReport as show } from './show';
export { buildProfile, PROFILE_ARTIFACT, PROFILE_ROWS, type ReferenceProfile } from './profile';
export { attachReference } from './attach';
export type { MonitorOptions } from './store';
