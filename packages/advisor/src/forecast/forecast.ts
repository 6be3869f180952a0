import { ConfigError, type Series } from '@ballast/core';
import {
  createEnsembleForecaster,
  ENSEMBLE_MINIMUM,
  type EnsembleForecasterOptions,
} from './ensemble-forecaster';
import type { ForecastModel, ForecastOutcome, ForecastResult } from './forecast-types';
import { type HoltWintersParameters, holtWinters } from './holt-winters';
import { linearTrend } from './linear-trend';
import { localLevel } from './local-level';
import { rescaleResult, safeScale } from './magnitude';
import { OptionChecks } from './option-checks';
import { type TimestampUnit, toRegularGrid } from './regular-grid';
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
  /** Default `auto` (= `ensemble`, see `createEnsembleForecaster`); or a single named model. */
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
  /** How a Series' timestamps are read; default `auto` (seconds are detected, see `toRegularGrid`). */
  timestampUnit?: TimestampUnit | undefined;
  /** Further options of the ensemble (members, interval levels, adaptation rate). */
  ensemble?: Partial<Omit<EnsembleForecasterOptions, 'horizonSteps'>> | undefined;
  /** Clamp means and bounds at 0 (demand cannot be negative). Default true. */
  nonNegative?: boolean | undefined;
}

function clampResult(result: ForecastResult): ForecastResult {
  return {
    ...result,
    points: result.points.map((point) => ({
      step: point.step,
      mean: Math.max(0, point.mean),
      lower: Math.max(0, point.lower),
      upper: Math.max(0, point.upper),
      ...(point.intervals === undefined
        ? {}
        : {
            intervals: point.intervals.map((interval) => ({
              level: interval.level,
              lower: Math.max(0, interval.lower),
              upper: Math.max(0, interval.upper),
            })),
          }),
    })),
  };
}

const checks = new OptionChecks('forecast');

const FORECAST_MODELS = [
  'auto',
  'ensemble',
  'holt-winters',
  'linear-trend',
  'seasonal-naive',
  'local-level',
] as const;

/** Throws the `ConfigError` of the first invalid option (types included: JavaScript callers). */
function validateForecastOptions(options: ForecastOptions): void {
  checks.object(options);
  if (options.horizonSteps === undefined) checks.fail('horizonSteps', 'is required', undefined);
  checks.horizon(options.horizonSteps, 'horizonSteps');
  checks.probability(options.level, 'level');
  checks.oneOf(options.model, 'model', FORECAST_MODELS);
  checks.positive(options.stepSeconds, 'stepSeconds');
  checks.integer(options.seasonLength, 'seasonLength');
  checks.integer(options.linearWindowSteps, 'linearWindowSteps', 2);
  checks.integer(options.maxSeasons, 'maxSeasons');
  checks.oneOf(options.timestampUnit, 'timestampUnit', ['auto', 'milliseconds', 'seconds']);
  checks.boolean(options.nonNegative, 'nonNegative');
  if (options.ensemble !== undefined) checks.object(options.ensemble, 'ensemble');
  const parameters = options.holtWintersParameters;
  if (parameters !== undefined) {
    checks.object(parameters, 'holtWintersParameters');
    for (const name of ['alpha', 'beta', 'gamma'] as const)
      checks.unitInterval(parameters[name], `holtWintersParameters.${name}`);
  }
}

/**
 * Forecasts a metric (demand: cores, bytes, requests per second), not replicas, with prediction
 * intervals. The series first goes on a regular grid ({@link toRegularGrid}): a missing
 * (non-finite) sample or a gap in the timestamps keeps its slot, so the daily season never shifts,
 * and is filled by the documented seasonal rule and flagged (`filledSamples`); the ensemble never
 * scores its forecasts on filled slots. Timestamps in seconds are detected; ambiguous ones throw a
 * `ValidationError`. `have`/`needed` count observed samples only: a model without enough returns
 * `{ status: 'insufficient_data', needed, have }`. A series beyond `2^±300` is forecast at a
 * power-of-two scale and scaled back; a result beyond the largest double (a series near
 * `Number.MAX_VALUE`) throws a `ValidationError` (`magnitude_overflow`).
 *
 * @example
 * ```ts
 * const outcome = forecast(cpuCores, { horizonSteps: 2, stepSeconds: 300 });
 * if (outcome.status === 'ok') outcome.points.map((point) => point.upper);
 * else console.log(`need ${outcome.needed}, have ${outcome.have}`);
 * ```
 */
export function forecast(series: readonly number[] | Series, options: ForecastOptions): ForecastOutcome {
  validateForecastOptions(options);
  const level = options.level ?? 0.9;
  const isSeries = !Array.isArray(series);
  const grid = toRegularGrid(series as readonly number[] | Series, {
    stepSeconds: options.stepSeconds,
    seasonLength: options.seasonLength,
    timestampUnit: options.timestampUnit,
  });
  const stepSeconds = options.stepSeconds ?? (isSeries ? grid.stepSeconds : undefined);
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
  const observed = grid.filled.filter((filled) => !filled).length;
  // Trailing fills are not history: forecast from the last real sample.
  let end = grid.values.length;
  while (end > 0 && grid.filled[end - 1]) end--;
  // Extreme magnitudes are forecast at a power-of-two scale (exact) so squared errors neither
  // overflow nor underflow; ordinary series (|x| within 2^±300) are untouched.
  const scale = safeScale(grid.values);
  const history = grid.values.slice(0, end).map((value) => value / scale);

  const needSeason = (name: ForecastModel): number => {
    if (seasonLength === undefined) {
      throw new ConfigError({
        message: `Invalid forecast options: ${name} needs seasonLength or stepSeconds`,
        issues: [{ path: 'seasonLength', message: 'required for seasonal models' }],
      });
    }
    return seasonLength;
  };
  const shortOf = (outcome: ForecastOutcome): ForecastOutcome =>
    outcome.status === 'insufficient_data' && outcome.have !== observed
      ? { ...outcome, have: Math.min(outcome.have, observed) }
      : outcome;

  let outcome: ForecastOutcome;
  if (model === 'holt-winters') {
    outcome = shortOf(
      holtWinters(history, {
        seasonLength: needSeason(model),
        horizonSteps,
        level,
        parameters: options.holtWintersParameters,
        maxSeasons: options.maxSeasons,
      }),
    );
  } else if (model === 'seasonal-naive') {
    outcome = shortOf(seasonalNaive(history, { seasonLength: needSeason(model), horizonSteps, level }));
  } else if (model === 'local-level') {
    outcome = shortOf(localLevel(history, { horizonSteps, level }));
  } else if (model === 'linear-trend') {
    outcome = shortOf(linearTrend(history, { horizonSteps, level, windowSteps: linearWindowSteps }));
  } else if (observed < ENSEMBLE_MINIMUM) {
    outcome = {
      status: 'insufficient_data',
      model: model === 'auto' ? 'auto' : 'ensemble',
      needed: ENSEMBLE_MINIMUM,
      have: observed,
      message: `no model can forecast from ${observed} samples (the ensemble needs ${ENSEMBLE_MINIMUM})`,
    };
  } else {
    if (seasonLength === undefined) needSeason('ensemble');
    const forecaster = createEnsembleForecaster({
      ...options.ensemble,
      horizonSteps,
      stepSeconds,
      seasonLength,
      level,
    });
    for (let index = 0; index < history.length; index++) {
      forecaster.observe(history[index]!, { filled: grid.filled[index] });
    }
    outcome = forecaster.forecast();
    if (outcome.status === 'ok')
      outcome = { ...outcome, filledSamples: grid.gaps.reduce((sum, gap) => sum + gap.length, 0) };
  }
  if (outcome.status === 'ok' && scale !== 1) outcome = rescaleResult(outcome, scale);
  if (outcome.status === 'ok' && (options.nonNegative ?? true)) return clampResult(outcome);
  return outcome;
}
