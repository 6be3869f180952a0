import { ValidationError } from '@ballast/core';
import type { ForecastResult } from './forecast-types';

/** Magnitudes forecast as given: squares of errors stay far from overflow and underflow. */
export const SAFE_MAGNITUDE_EXPONENT = 300;

/**
 * The power-of-two scale a series whose largest magnitude is `largest` is forecast at: 1 for
 * ordinary magnitudes (within `2^±300`, about 1e±90), else `2^⌊log₂ largest⌋`, so that dividing
 * by it is exact and squared errors neither overflow nor underflow.
 *
 * @internal
 * @example
 * ```ts
 * scaleForMagnitude(1e200); // 2^664
 * scaleForMagnitude(42); // 1
 * ```
 */
export function scaleForMagnitude(largest: number): number {
  if (largest === 0 || !Number.isFinite(largest)) return 1;
  const exponent = Math.floor(Math.log2(largest));
  return Math.abs(exponent) > SAFE_MAGNITUDE_EXPONENT ? 2 ** exponent : 1;
}

/** Largest finite magnitude in `values` (non-finite ones, gaps, are skipped). */
export function largestMagnitude(values: readonly number[]): number {
  let largest = 0;
  for (const value of values)
    if (Math.abs(value) > largest && Number.isFinite(value)) largest = Math.abs(value);
  return largest;
}

/**
 * 1 for ordinary series; else the power of two of the largest magnitude (dividing by it is exact).
 *
 * @internal
 * @example
 * ```ts
 * safeScale([1e200, 3e200]); // 2^665
 * ```
 */
export function safeScale(values: readonly number[]): number {
  return scaleForMagnitude(largestMagnitude(values));
}

/**
 * `value × scale`, or a `ValidationError` (`magnitude_overflow`) when that is beyond the largest
 * double: a forecast, interval bound or error of a series near `Number.MAX_VALUE` may be.
 *
 * @internal
 * @example
 * ```ts
 * unscaled(1.5, 2 ** 1000, 'meanAbsoluteError'); // 1.5 × 2^1000
 * ```
 */
export function unscaled(value: number, scale: number, path: string): number {
  const result = value * scale;
  if (Number.isFinite(result) || !Number.isFinite(value)) return result;
  throw new ValidationError({
    message: `${path} of this series is ${value} × 2^${Math.log2(scale)}, beyond the largest double (about 1.8e308): scale the series down`,
    issues: [{ path, code: 'magnitude_overflow', message: 'beyond Number.MAX_VALUE' }],
  });
}

/**
 * A result forecast at `1 / scale`, brought back to the series' own units; a `ValidationError`
 * (`magnitude_overflow`) if a bound is beyond the largest double.
 *
 * @internal
 */
export function rescaleResult<T extends ForecastResult>(result: T, scale: number): T {
  if (scale === 1) return result;
  const parameters = { ...result.parameters };
  for (const name of ['slope', 'intercept'] as const)
    if (parameters[name] !== undefined) parameters[name] = unscaled(parameters[name]!, scale, name);
  return {
    ...result,
    parameters,
    residualStandardDeviation: unscaled(result.residualStandardDeviation, scale, 'residualStandardDeviation'),
    points: result.points.map((point) => ({
      ...point,
      mean: unscaled(point.mean, scale, `points.${point.step - 1}.mean`),
      lower: unscaled(point.lower, scale, `points.${point.step - 1}.lower`),
      upper: unscaled(point.upper, scale, `points.${point.step - 1}.upper`),
      ...(point.intervals === undefined
        ? {}
        : {
            intervals: point.intervals.map((interval) => ({
              level: interval.level,
              lower: unscaled(interval.lower, scale, `points.${point.step - 1}.intervals.lower`),
              upper: unscaled(interval.upper, scale, `points.${point.step - 1}.intervals.upper`),
            })),
          }),
    })),
  };
}
