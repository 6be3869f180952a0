// Forecasting: series statistics and trends, the horizon-fitted ensemble (default), regular grids, local-level (Kalman), Holt-Winters, seasonal-naive and linear-trend
// forecasts with prediction intervals, quantiles and error metrics. Imports nothing else of the advisor.

export {
  createEnsembleForecaster,
  defaultEnsembleMembers,
  ENSEMBLE_MINIMUM,
  type EnsembleForecaster,
  type EnsembleForecasterOptions,
  type EnsembleMember,
  ensembleMembers,
} from './ensemble-forecaster';
export {
  type ForecastErrors,
  forecastErrors,
  meanAbsoluteError,
  symmetricMeanAbsolutePercentageError,
} from './error-metrics';
export { type ForecastOptions, forecast } from './forecast';
export type {
  ForecastInterval,
  ForecastModel,
  ForecastOutcome,
  ForecastPoint,
  ForecastResult,
  InsufficientData,
} from './forecast-types';
export {
  fitHoltWinters,
  type HoltWintersOptions,
  type HoltWintersParameters,
  holtWinters,
} from './holt-winters';
export { LINEAR_TREND_MINIMUM, type LinearTrendOptions, linearTrend } from './linear-trend';
export {
  createLocalLevelBank,
  LOCAL_LEVEL_MINIMUM,
  LOCAL_LEVEL_SIGNAL_TO_NOISE,
  type LocalLevelBank,
  type LocalLevelBankOptions,
  type LocalLevelOptions,
  localLevel,
} from './local-level';
export { FORECAST_MAX_HORIZON_STEPS } from './option-checks';
export { normalQuantile, studentTQuantile } from './quantiles';
export { type RegularGrid, type RegularGridOptions, type TimestampUnit, toRegularGrid } from './regular-grid';
export {
  evaluateForecasterRolling,
  type RollingEvaluationOptions,
  type RollingHorizonScore,
} from './rolling-evaluation';
export { type SeasonalNaiveOptions, seasonalNaive } from './seasonal-naive';
export { coefficientOfVariation } from './statistics';
export {
  type BlendWeights,
  blendLoad,
  computeNodeTrends,
  defaultBlendWeights,
  type NodeTrend,
  type SeriesTrend,
  type SummarizeSeriesOptions,
  summarizeSeries,
  trendValueAt,
} from './trend';
