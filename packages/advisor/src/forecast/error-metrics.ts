/**
 * Forecast accuracy over the pairs where both values are finite.
 *
 * @example
 * ```ts
 * const report: ForecastErrors = forecastErrors([1, 2], [1, 3]); // { count: 2, meanAbsoluteError: 0.5, ... }
 * ```
 */
export interface ForecastErrors {
  count: number;
  meanAbsoluteError: number;
  /** Symmetric MAPE in percent, 0–200. */
  symmetricMeanAbsolutePercentageError: number;
}

/**
 * Mean absolute error `Σ|F − A| / n` over pairs where both are finite; `NaN` when there are none.
 *
 * @example
 * ```ts
 * meanAbsoluteError([10, 20], [12, 17]); // 2.5
 * ```
 */
export function meanAbsoluteError(actual: readonly number[], predicted: readonly number[]): number {
  return forecastErrors(actual, predicted).meanAbsoluteError;
}

/**
 * Symmetric mean absolute percentage error `100/n · Σ 2|F − A| / (|A| + |F|)`, in percent (0–200).
 * A pair with `A = F = 0` contributes 0.
 *
 * @example
 * ```ts
 * symmetricMeanAbsolutePercentageError([100], [110]); // ≈ 9.52
 * ```
 */
export function symmetricMeanAbsolutePercentageError(
  actual: readonly number[],
  predicted: readonly number[],
): number {
  return forecastErrors(actual, predicted).symmetricMeanAbsolutePercentageError;
}

/**
 * MAE and sMAPE in one pass.
 *
 * @example
 * ```ts
 * forecastErrors([100, 0], [110, 0]).symmetricMeanAbsolutePercentageError; // ≈ 4.76
 * ```
 */
export function forecastErrors(actual: readonly number[], predicted: readonly number[]): ForecastErrors {
  let count = 0;
  let absolute = 0;
  let symmetric = 0;
  const length = Math.min(actual.length, predicted.length);
  for (let index = 0; index < length; index++) {
    const a = actual[index]!;
    const f = predicted[index]!;
    if (!Number.isFinite(a) || !Number.isFinite(f)) continue;
    count++;
    const error = Math.abs(f - a);
    absolute += error;
    const scale = Math.abs(a) + Math.abs(f);
    symmetric += scale === 0 ? 0 : (2 * error) / scale;
  }
  return {
    count,
    meanAbsoluteError: count === 0 ? Number.NaN : absolute / count,
    symmetricMeanAbsolutePercentageError: count === 0 ? Number.NaN : (100 * symmetric) / count,
  };
}
