/** Monitoring a served model (issue 11): for now the drift statistics; the monitoring store and `labbook monitor` come later. */

export * from './drift';
