/**
 * The forecasting models available. `auto` picks Holt-Winters when there are two full seasons of
 * history, otherwise a linear trend, otherwise reports insufficient data.
 *
 * @example
 * ```ts
 * const model: ForecastModel = 'holt-winters';
 * ```
 */
export type ForecastModel = 'holt-winters' | 'linear-trend' | 'seasonal-naive';

/**
 * One forecast step: `step` is 1 for the sample right after the history. `lower`/`upper` bound the
 * prediction interval at the forecast's `level`.
 *
 * @example
 * ```ts
 * const point: ForecastPoint = { step: 1, mean: 4.2, lower: 3.6, upper: 4.8 };
 * ```
 */
export interface ForecastPoint {
  step: number;
  mean: number;
  lower: number;
  upper: number;
}

/**
 * A successful forecast of a metric.
 *
 * @example
 * ```ts
 * const peak = (result: ForecastResult) => Math.max(...result.points.map((point) => point.upper));
 * ```
 */
export interface ForecastResult {
  status: 'ok';
  model: ForecastModel;
  points: ForecastPoint[];
  /** Central coverage of the intervals, e.g. 0.9. */
  level: number;
  /** Samples per season used by seasonal models. */
  seasonLength?: number | undefined;
  /** Fitted parameters (`alpha`, `beta`, `gamma` for Holt-Winters; `slope`, `intercept` for linear). */
  parameters: Record<string, number>;
  /** Standard deviation of the one-step (in-sample) residuals. */
  residualStandardDeviation: number;
  /** Samples of history the model used. */
  historyUsed: number;
}

/**
 * The history is too short for the requested model. Nothing is synthesized.
 *
 * @example
 * ```ts
 * const gap = (outcome: InsufficientData) => outcome.needed - outcome.have;
 * ```
 */
export interface InsufficientData {
  status: 'insufficient_data';
  model: ForecastModel | 'auto';
  /** Samples the model needs. */
  needed: number;
  /** Samples given (finite values). */
  have: number;
  message: string;
}

/**
 * What {@link forecast} and the model functions return.
 *
 * @example
 * ```ts
 * const ok = (outcome: ForecastOutcome): outcome is ForecastResult => outcome.status === 'ok';
 * ```
 */
export type ForecastOutcome = ForecastResult | InsufficientData;
