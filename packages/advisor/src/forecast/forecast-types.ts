/**
 * The forecasting models available. `auto` is the `ensemble` (see `createEnsembleForecaster`).
 *
 * @example
 * ```ts
 * const model: ForecastModel = 'holt-winters';
 * ```
 */
export type ForecastModel = 'ensemble' | 'holt-winters' | 'linear-trend' | 'seasonal-naive' | 'local-level';

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
  /** Intervals at further levels (the ensemble reports 80 % and 95 % by default). */
  intervals?: ForecastInterval[] | undefined;
}

/**
 * A prediction interval at one central coverage level.
 *
 * @example
 * ```ts
 * const interval: ForecastInterval = { level: 0.95, lower: 3.1, upper: 5.4 };
 * ```
 */
export interface ForecastInterval {
  level: number;
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
  /** Which seasonality the ensemble could use: none in the first day, daily, weekly after two weeks. */
  seasonality?: 'none' | 'daily' | 'weekly' | undefined;
  /** Ensemble member weights per step (index 0 = step 1), learned from out-of-sample errors. */
  weights?: Array<Partial<Record<string, number>>> | undefined;
  /** Fitted parameters (`alpha`, `beta`, `gamma` for Holt-Winters; `slope`, `intercept` for linear; `signalToNoise` for local-level). */
  parameters: Record<string, number>;
  /** Standard deviation of the one-step (in-sample) residuals. */
  residualStandardDeviation: number;
  /** Grid slots that were gap fills (see `toRegularGrid`), when the ensemble ran. */
  filledSamples?: number | undefined;
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
