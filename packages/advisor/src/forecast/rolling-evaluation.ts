import { ConfigError } from '@ballast/core';
import { createEnsembleForecaster, type EnsembleForecasterOptions } from './ensemble-forecaster';
import { safeScale, unscaled } from './magnitude';
import { OptionChecks } from './option-checks';
import { type RegularGridOptions, toRegularGrid } from './regular-grid';

const checks = new OptionChecks('rolling evaluation');

/**
 * Options of {@link evaluateForecasterRolling}.
 *
 * @example
 * ```ts
 * const options: RollingEvaluationOptions = { stepSeconds: 300, horizons: [1, 6, 12, 72], warmupSteps: 288 };
 * ```
 */
export interface RollingEvaluationOptions {
  stepSeconds?: number | undefined;
  seasonLength?: number | undefined;
  /** Horizons (steps ahead) to score, e.g. `[1, 6, 12, 72]` for 5 min, 30 min, 1 h, 6 h at 300 s. */
  horizons: readonly number[];
  /** Origins start after this many samples (default one season: a one-day warm-up). */
  warmupSteps?: number | undefined;
  /** Interval levels to check, default `[0.8, 0.95]`. */
  levels?: readonly number[] | undefined;
  /** Passed to the forecaster (weights, residual window, adaptation rate). */
  forecaster?: Partial<EnsembleForecasterOptions> | undefined;
  timestampUnit?: RegularGridOptions['timestampUnit'];
}

/**
 * Scores at one horizon over every rolling origin.
 *
 * @example
 * ```ts
 * const ratio = (row: RollingHorizonScore) => row.meanAbsoluteError / row.seasonalNaiveMeanAbsoluteError;
 * ```
 */
export interface RollingHorizonScore {
  horizonSteps: number;
  /** Origins scored (targets that were gap fills are skipped). */
  count: number;
  meanAbsoluteError: number;
  lastValueMeanAbsoluteError: number;
  seasonalNaiveMeanAbsoluteError: number;
  /** Share of targets inside the interval, per level. */
  coverage: Array<{ level: number; coverage: number }>;
}

/**
 * Rolling-origin evaluation of the ensemble forecaster: the series goes on a regular grid (gaps
 * filled and flagged), the forecaster sees it one sample at a time, and from every origin after
 * the warm-up (one origin per step, so every 5 minutes at 300 s) the forecast `h` steps ahead is
 * scored against the sample that follows, next to last-value (`y(t)`) and seasonal-naive
 * (`y(t + h − m·⌈h/m⌉)`) on the same origins. Nothing after an origin is visible to its forecast.
 * Targets that are gap fills are not scored. A series of extreme magnitude (beyond `2^±300`) is
 * scored at a power-of-two scale (exact) and the errors scaled back; an error beyond the largest
 * double throws a `ValidationError` (`magnitude_overflow`).
 *
 * @example
 * ```ts
 * const scores = evaluateForecasterRolling(cpuPercent, { stepSeconds: 300, horizons: [1, 12, 72] });
 * scores[0]!.meanAbsoluteError / scores[0]!.lastValueMeanAbsoluteError; // < 1 is better than last-value
 * ```
 */
export function evaluateForecasterRolling(
  series: readonly number[] | { timestamps: readonly number[]; values: readonly number[] },
  options: RollingEvaluationOptions,
): RollingHorizonScore[] {
  checks.object(options);
  const horizons = Array.isArray(options.horizons) ? [...options.horizons] : [];
  if (horizons.length === 0 || horizons.some((h) => !(Number.isInteger(h) && h >= 1))) {
    throw new ConfigError({
      message: 'Invalid rolling evaluation options: horizons must be positive integers',
      issues: [{ path: 'horizons', message: 'must be a non-empty list of positive integers' }],
    });
  }
  for (const [index, h] of horizons.entries()) checks.horizon(h, `horizons.${index}`);
  checks.integer(options.warmupSteps, 'warmupSteps', 0);
  checks.array(options.levels, 'levels');
  if (options.levels !== undefined && options.levels.length === 0)
    checks.fail('levels', 'must not be empty', options.levels);
  if (options.forecaster !== undefined) checks.object(options.forecaster, 'forecaster');
  const grid = toRegularGrid(series, {
    stepSeconds: options.stepSeconds,
    seasonLength: options.seasonLength,
    timestampUnit: options.timestampUnit,
  });
  const stepSeconds = options.stepSeconds ?? grid.stepSeconds;
  const season =
    options.seasonLength ??
    (stepSeconds !== undefined ? Math.max(2, Math.round(86_400 / stepSeconds)) : undefined);
  if (season === undefined) {
    throw new ConfigError({
      message: 'Invalid rolling evaluation options: seasonLength or stepSeconds is required',
      issues: [{ path: 'seasonLength', message: 'required without stepSeconds' }],
    });
  }
  const levels = [...(options.levels ?? [0.8, 0.95])];
  const horizon = Math.max(...horizons);
  const forecaster = createEnsembleForecaster({
    ...options.forecaster,
    horizonSteps: horizon,
    stepSeconds,
    seasonLength: season,
    level: levels[0],
    levels: levels.slice(1),
  });
  const warmup = options.warmupSteps ?? season;
  // Extreme magnitudes are scored at a power-of-two scale (exact), like `forecast` fits them: the
  // forecaster's squared errors and these sums of absolute errors stay finite. 1 for ordinary series.
  const scale = safeScale(grid.values);
  const values = scale === 1 ? grid.values : grid.values.map((value) => value / scale);
  const totals = horizons.map(() => ({
    count: 0,
    ensemble: 0,
    lastValue: 0,
    seasonalNaive: 0,
    covered: levels.map(() => 0),
  }));
  for (let t = 0; t < values.length; t++) {
    forecaster.observe(values[t]!, { filled: grid.filled[t] });
    if (t + 1 < warmup) continue;
    const outcome = forecaster.forecast();
    if (outcome.status !== 'ok') continue;
    horizons.forEach((h, index) => {
      const target = t + h;
      if (target >= values.length || grid.filled[target]) return;
      const lag = season * Math.ceil(h / season);
      if (target - lag < 0) return;
      const actual = values[target]!;
      const point = outcome.points[h - 1]!;
      const total = totals[index]!;
      total.count++;
      total.ensemble += Math.abs(actual - point.mean);
      total.lastValue += Math.abs(actual - values[t]!);
      total.seasonalNaive += Math.abs(actual - values[target - lag]!);
      const intervals = [
        { level: outcome.level, lower: point.lower, upper: point.upper },
        ...(point.intervals ?? []),
      ];
      levels.forEach((level, levelIndex) => {
        const interval = intervals.find((candidate) => candidate.level === level);
        if (interval !== undefined && actual >= interval.lower && actual <= interval.upper)
          total.covered[levelIndex]!++;
      });
    });
  }
  return horizons.map((h, index) => {
    const total = totals[index]!;
    const divide = (sum: number) => (total.count === 0 ? Number.NaN : sum / total.count);
    const error = (sum: number, path: string) => unscaled(divide(sum), scale, `${index}.${path}`);
    return {
      horizonSteps: h,
      count: total.count,
      meanAbsoluteError: error(total.ensemble, 'meanAbsoluteError'),
      lastValueMeanAbsoluteError: error(total.lastValue, 'lastValueMeanAbsoluteError'),
      seasonalNaiveMeanAbsoluteError: error(total.seasonalNaive, 'seasonalNaiveMeanAbsoluteError'),
      coverage: levels.map((level, levelIndex) => ({ level, coverage: divide(total.covered[levelIndex]!) })),
    };
  });
}
