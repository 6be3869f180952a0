import type { ForecastOutcome } from './forecast-types';
import { normalQuantile } from './quantiles';

/**
 * Options of {@link seasonalNaive}.
 *
 * @example
 * ```ts
 * const options: SeasonalNaiveOptions = { seasonLength: 288, horizonSteps: 12 };
 * ```
 */
export interface SeasonalNaiveOptions {
  /** Samples per season (288 for a daily season at 300 s). */
  seasonLength: number;
  horizonSteps: number;
  /** Interval coverage, default 0.9. */
  level?: number | undefined;
}

/**
 * Seasonal-naive baseline: `ŷ(n+h) = y(n+h−k·m)` with `k = ⌈h/m⌉`. The interval uses the RMS of
 * the seasonal differences `σ`, widened as `σ·√k` (Hyndman & Athanasopoulos, FPP3 §5.5). Needs
 * `m + 2` samples.
 *
 * @example
 * ```ts
 * const outcome = seasonalNaive([1, 2, 3, 1, 2, 3, 1, 2], { seasonLength: 3, horizonSteps: 1 });
 * // outcome.status === 'ok', outcome.points[0].mean === 3
 * ```
 */
export function seasonalNaive(history: readonly number[], options: SeasonalNaiveOptions): ForecastOutcome {
  const m = options.seasonLength;
  const n = history.length;
  const needed = m + 2;
  if (n < needed) {
    return {
      status: 'insufficient_data',
      model: 'seasonal-naive',
      needed,
      have: n,
      message: `seasonal-naive needs one season (${m}) plus 2 samples, got ${n}`,
    };
  }
  let squares = 0;
  for (let t = m; t < n; t++) squares += (history[t]! - history[t - m]!) ** 2;
  const sigma = Math.sqrt(squares / (n - m));
  const level = options.level ?? 0.9;
  const z = normalQuantile((1 + level) / 2);
  const points = [];
  for (let h = 1; h <= options.horizonSteps; h++) {
    const k = Math.floor((h - 1) / m) + 1;
    const mean = history[n + h - k * m - 1]!;
    const width = z * sigma * Math.sqrt(k);
    points.push({ step: h, mean, lower: mean - width, upper: mean + width });
  }
  return {
    status: 'ok',
    model: 'seasonal-naive',
    points,
    level,
    seasonLength: m,
    parameters: {},
    residualStandardDeviation: sigma,
    historyUsed: n,
  };
}
