/** Plots: pure functions from labbook data to plotly.js figure specs (JSON); nothing here displays. */
export { PALETTE, type Figure } from './figure';
export { alignedHistories, learningCurves, type AlignedHistoryOptions, type CurveInput, type CurveLabels, type EpochSeries, type LearningCurveOptions } from './curves';
export { leaderboard, metricVsParam, parallelAxes, parallelCoordinates, runLabel, varyingParams, type LeaderboardOptions, type MetricVsParamOptions, type ParallelCoordinatesOptions } from './runs';
export { confusionMatrixHeatmap } from './confusion';
export { intermediateValues, optimizationHistory, paramSlices, sweepParallelCoordinates, type SweepFigureOptions } from './sweep';
