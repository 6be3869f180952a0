import { ConfigError, type Series } from '@ballast/core';
import type { ForecastModel, ForecastOutcome, ForecastResult } from './forecast-types';
import { type HoltWintersParameters, holtWinters } from './holt-winters';
import { LINEAR_TREND_MINIMUM, linearTrend } from './linear-trend';
import { seasonalNaive } from './seasonal-naive';

/**
 * Options of {@link forecast}.
 *
 * @example
 * ```ts
 * const options: ForecastOptions = { horizonSteps: 3, stepSeconds: 300, model: 'auto', level: 0.9 };
 * ```
 */
export interface ForecastOptions {
  /** Steps to forecast after the last sample (≥ 1). */
  horizonSteps: number;
  /** Default `auto`: Holt-Winters with ≥ 2 seasons, else linear trend, else `insufficient_data`. */
  model?: ForecastModel | 'auto' | undefined;
  /** Sample spacing; taken from the timestamps when a {@link Series} is given. */
  stepSeconds?: number | undefined;
  /** Samples per season; default one day, `round(86400 / stepSeconds)`. */
  seasonLength?: number | undefined;
  /** Interval coverage, default 0.9 (so `upper` is the 95th percentile). */
  level?: number | undefined;
  /** Window of the linear trend; default 3 hours of samples when the step is known (at least 6), else all. */
  linearWindowSteps?: number | undefined;
  /** Fixed Holt-Winters parameters (skips the grid search). */
  holtWintersParameters?: HoltWintersParameters | undefined;
  /** Holt-Winters uses at most this many trailing seasons (default 8). */
  maxSeasons?: number | undefined;
  /** Clamp means and bounds at 0 (demand cannot be negative). Default true. */
  nonNegative?: boolean | undefined;
}

function stepFromTimestamps(timestamps: readonly number[]): number | undefined {
  const gaps: number[] = [];
  for (let index = 1; index < timestamps.length; index++)
    gaps.push(timestamps[index]! - timestamps[index - 1]!);
  if (gaps.length === 0) return undefined;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)]! / 1000;
}

function clampResult(result: ForecastResult): ForecastResult {
  return {
    ...result,
    points: result.points.map((point) => ({
      step: point.step,
      mean: Math.max(0, point.mean),
      lower: Math.max(0, point.lower),
      upper: Math.max(0, point.upper),
    })),
  };
}

/**
 * Forecasts a metric (demand: cores, bytes, requests per second), not replicas, with prediction
 * intervals. Missing (non-finite) samples are dropped and the rest treated as equally spaced; history
 * is never synthesized: a model without enough samples returns
 * `{ status: 'insufficient_data', needed, have }`.
 *
 * @example
 * ```ts
 * const outcome = forecast(cpuCores, { horizonSteps: 2, stepSeconds: 300 });
 * if (outcome.status === 'ok') outcome.points.map((point) => point.upper);
 * else console.log(`need ${outcome.needed}, have ${outcome.have}`);
 * ```
 */
export function forecast(series: readonly number[] | Series, options: ForecastOptions): ForecastOutcome {
  if (!Number.isInteger(options.horizonSteps) || options.horizonSteps < 1) {
    throw new ConfigError({
      message: `Invalid forecast options: horizonSteps must be a positive integer, got ${options.horizonSteps}`,
      issues: [{ path: 'horizonSteps', message: 'must be a positive integer' }],
    });
  }
  const level = options.level ?? 0.9;
  if (!(level > 0 && level < 1)) {
    throw new ConfigError({
      message: `Invalid forecast options: level must be in (0, 1), got ${level}`,
      issues: [{ path: 'level', message: 'must be in (0, 1)' }],
    });
  }
  const isSeries = !Array.isArray(series);
  const raw: readonly number[] = isSeries ? (series as Series).values : (series as readonly number[]);
  const history = raw.filter((value) => Number.isFinite(value));
  const stepSeconds =
    options.stepSeconds ?? (isSeries ? stepFromTimestamps((series as Series).timestamps) : undefined);
  const seasonLength =
    options.seasonLength ??
    (stepSeconds !== undefined && stepSeconds > 0
      ? Math.max(2, Math.round(86_400 / stepSeconds))
      : undefined);
  const linearWindowSteps =
    options.linearWindowSteps ??
    (stepSeconds !== undefined && stepSeconds > 0
      ? Math.max(6, Math.round(10_800 / stepSeconds))
      : undefined);
  const model = options.model ?? 'auto';
  const horizonSteps = options.horizonSteps;

  const needSeason = (name: ForecastModel): number => {
    if (seasonLength === undefined) {
      throw new ConfigError({
        message: `Invalid forecast options: ${name} needs seasonLength or stepSeconds`,
        issues: [{ path: 'seasonLength', message: 'required for seasonal models' }],
      });
    }
    return seasonLength;
  };

  let outcome: ForecastOutcome;
  if (model === 'holt-winters') {
    outcome = holtWinters(history, {
      seasonLength: needSeason(model),
      horizonSteps,
      level,
      parameters: options.holtWintersParameters,
      maxSeasons: options.maxSeasons,
    });
  } else if (model === 'seasonal-naive') {
    outcome = seasonalNaive(history, { seasonLength: needSeason(model), horizonSteps, level });
  } else if (model === 'linear-trend') {
    outcome = linearTrend(history, { horizonSteps, level, windowSteps: linearWindowSteps });
  } else if (seasonLength !== undefined && history.length >= 2 * seasonLength) {
    outcome = holtWinters(history, {
      seasonLength,
      horizonSteps,
      level,
      parameters: options.holtWintersParameters,
      maxSeasons: options.maxSeasons,
    });
  } else if (history.length >= LINEAR_TREND_MINIMUM) {
    outcome = linearTrend(history, { horizonSteps, level, windowSteps: linearWindowSteps });
  } else {
    outcome = {
      status: 'insufficient_data',
      model: 'auto',
      needed: LINEAR_TREND_MINIMUM,
      have: history.length,
      message: `no model can forecast from ${history.length} samples (linear trend needs ${LINEAR_TREND_MINIMUM}, Holt-Winters ${seasonLength === undefined ? 'a season length and' : 2 * seasonLength} samples)`,
    };
  }
  if (outcome.status === 'ok' && (options.nonNegative ?? true)) return clampResult(outcome);
  return outcome;
}
