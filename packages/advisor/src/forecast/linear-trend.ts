import type { ForecastOutcome } from './forecast-types';
import { studentTQuantile } from './quantiles';

/**
 * Options of {@link linearTrend}.
 *
 * @example
 * ```ts
 * const options: LinearTrendOptions = { horizonSteps: 6, windowSteps: 36 };
 * ```
 */
export interface LinearTrendOptions {
  horizonSteps: number;
  /** Interval coverage, default 0.9. */
  level?: number | undefined;
  /** Fit only the last `windowSteps` samples (default: all). */
  windowSteps?: number | undefined;
}

/** Minimum samples for a linear fit with a residual-based interval. */
export const LINEAR_TREND_MINIMUM = 3;

/**
 * Ordinary least squares `y = a + b·t` over the (windowed) history, with the classical prediction
 * interval `ŷ ± t(1+level)/2, n−2 · s · √(1 + 1/n + (t₀ − t̄)² / Sₜₜ)` where `s² = SSE / (n − 2)`.
 * Needs 3 samples.
 *
 * @example
 * ```ts
 * const outcome = linearTrend([1, 2, 3, 4], { horizonSteps: 2 });
 * // outcome.status === 'ok', means 5 and 6, zero-width interval (perfect fit)
 * ```
 */
export function linearTrend(history: readonly number[], options: LinearTrendOptions): ForecastOutcome {
  const window =
    options.windowSteps === undefined ? history.length : Math.min(options.windowSteps, history.length);
  const values = history.slice(history.length - window);
  const n = values.length;
  if (n < LINEAR_TREND_MINIMUM) {
    return {
      status: 'insufficient_data',
      model: 'linear-trend',
      needed: LINEAR_TREND_MINIMUM,
      have: n,
      message: `linear-trend needs ${LINEAR_TREND_MINIMUM} samples, got ${n}`,
    };
  }
  const meanT = (n - 1) / 2;
  let meanY = 0;
  for (const value of values) meanY += value;
  meanY /= n;
  let sxx = 0;
  let sxy = 0;
  for (let t = 0; t < n; t++) {
    sxx += (t - meanT) ** 2;
    sxy += (t - meanT) * (values[t]! - meanY);
  }
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanT;
  let sse = 0;
  for (let t = 0; t < n; t++) sse += (values[t]! - (intercept + slope * t)) ** 2;
  const s = Math.sqrt(sse / (n - 2));
  const level = options.level ?? 0.9;
  const quantile = studentTQuantile((1 + level) / 2, n - 2);
  const points = [];
  for (let h = 1; h <= options.horizonSteps; h++) {
    const t0 = n - 1 + h;
    const mean = intercept + slope * t0;
    const width = quantile * s * Math.sqrt(1 + 1 / n + (t0 - meanT) ** 2 / sxx);
    points.push({ step: h, mean, lower: mean - width, upper: mean + width });
  }
  return {
    status: 'ok',
    model: 'linear-trend',
    points,
    level,
    parameters: { intercept, slope },
    residualStandardDeviation: s,
    historyUsed: n,
  };
}
