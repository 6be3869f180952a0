/**
 * Bound of the adaptive conformal correction, as a multiple of the nominal miscoverage `α`
 * (default 2): the adapted level stays within `(0, 2α]`, so the correction can move the miss
 * rate by at most `α` in either direction. Below, a level of 0 is already the widest interval
 * (the largest residual); above, the old bound was 0.999, an interval of almost no width.
 *
 * Why a bound above: adaptive conformal inference (Gibbs & Candès 2021) raises the level by
 * `rate × α` after every covered forecast, as if each were independent evidence that the interval
 * is too wide. At horizon `h` the forecasts of consecutive origins share `h − 1` steps of their
 * path, so a calm stretch of `n` covered forecasts is only about `n / h` independent ones; at six
 * hours (72 steps) a calm day raised the 80 % level's miscoverage from 0.2 towards 0.6–0.64 (the
 * interval shrank to the 36–40 % quantile of past errors) and the next modest change, inside the
 * unadapted interval, missed 72 forecasts in a row. Misses are as correlated, but a run of them
 * can only take the level to 0, the widest interval, which is the safe side. The bound keeps the
 * correction symmetric in size around the nominal level and can only widen an interval relative
 * to the unbounded correction on the same misses (property-tested).
 */
export const ADAPTIVE_MISCOVERAGE_BOUND = 2;

/** Smallest adapted miscoverage (the widest interval short of the largest residual). */
const MINIMUM_MISCOVERAGE = 1e-4;
/** Largest adapted miscoverage with an infinite bound (the bound before it existed). */
const MAXIMUM_MISCOVERAGE = 0.999;

/**
 * One step of the adaptive conformal correction: `α_t + rate × (α − missed)`, kept within
 * `[1e-4, min(0.999, bound × α)]`, `α` the nominal miscoverage (`1 − level`).
 *
 * @example
 * ```ts
 * let alpha = 0.2;
 * alpha = adaptMiscoverage(alpha, { nominal: 0.2, missed: false, rate: 0.01 }); // 0.202
 * ```
 */
export function adaptMiscoverage(
  current: number,
  step: { nominal: number; missed: boolean; rate: number; bound?: number | undefined },
): number {
  const bound = step.bound ?? ADAPTIVE_MISCOVERAGE_BOUND;
  const ceiling = Math.min(MAXIMUM_MISCOVERAGE, bound * step.nominal);
  const next = current + step.rate * (step.nominal - (step.missed ? 1 : 0));
  return Math.min(ceiling, Math.max(MINIMUM_MISCOVERAGE, next));
}
