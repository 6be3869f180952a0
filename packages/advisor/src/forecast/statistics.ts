/**
 * Small numeric helpers shared by the planners and forecasts. Internal: not exported from the
 * package index.
 *
 * @internal
 * @example
 * ```ts
 * mean([1, 2, 3]); // 2
 * ```
 */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/**
 * Population standard deviation (σ, divided by n, as PVE CRS does).
 *
 * @internal
 * @example
 * ```ts
 * populationStandardDeviation([1, 3]); // 1
 * ```
 */
export function populationStandardDeviation(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const average = mean(values);
  let sum = 0;
  for (const value of values) sum += (value - average) ** 2;
  return Math.sqrt(sum / values.length);
}

/**
 * Coefficient of variation σ/μ with the population σ; 0 when the mean is 0 or there are no values.
 *
 * @example
 * ```ts
 * coefficientOfVariation([1 / 3, 0, 0]); // 1.414…
 * ```
 */
export function coefficientOfVariation(values: readonly number[]): number {
  const average = mean(values);
  if (values.length === 0 || average <= 0) return 0;
  return populationStandardDeviation(values) / average;
}

/**
 * Least-squares line through `(x, y)` points.
 *
 * @internal
 * @example
 * ```ts
 * fitLine([0, 1, 2], [1, 3, 5]); // { slope: 2, intercept: 1, rSquared: 1 }
 * ```
 */
export interface LineFit {
  slope: number;
  intercept: number;
  /** Coefficient of determination 0..1 (1 when the values are constant). */
  rSquared: number;
}

/**
 * Ordinary least squares over parallel arrays. With fewer than two distinct x values the slope is 0.
 *
 * @internal
 * @example
 * ```ts
 * fitLine([0, 1, 2], [1, 3, 5]).slope; // 2
 * ```
 */
export function fitLine(xs: readonly number[], ys: readonly number[]): LineFit {
  const count = Math.min(xs.length, ys.length);
  if (count === 0) return { slope: 0, intercept: 0, rSquared: 0 };
  let sumX = 0;
  let sumY = 0;
  for (let index = 0; index < count; index++) {
    sumX += xs[index]!;
    sumY += ys[index]!;
  }
  const meanX = sumX / count;
  const meanY = sumY / count;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let index = 0; index < count; index++) {
    const dx = xs[index]! - meanX;
    const dy = ys[index]! - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return { slope: 0, intercept: meanY, rSquared: 0 };
  const slope = sxy / sxx;
  const rSquared = syy === 0 ? 1 : Math.min(1, (sxy * sxy) / (sxx * syy));
  return { slope, intercept: meanY - slope * meanX, rSquared };
}

/**
 * Median of a list (0 when empty).
 *
 * @internal
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Rounds to `digits` decimals. @internal */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
