/** Classification and regression metrics: pure functions on arrays (or tensors read once), sklearn's definitions. */
export { accuracy, confusionMatrix, topKAccuracy } from './classification';
export {
  classificationReport,
  f1Score,
  perClassPrecisionRecallF1,
  precision,
  precisionRecallF1,
  recall,
  type Average,
  type ClassificationReport,
  type PerClassScores,
  type PrfOptions,
  type PrfScores,
  type ReportOptions,
  type ReportRow,
} from './prf';
export { rocAuc, rocCurve, type RocCurve } from './ranking';
export { LOG_LOSS_EPS, logLoss, type LogLossOptions } from './probabilistic';
export { mae, mse, r2, rmse } from './regression';
export type { MatrixInput, NumericArray, VectorInput } from './input';
