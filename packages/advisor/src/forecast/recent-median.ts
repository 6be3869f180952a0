import { anchorHorizons, leastAbsoluteDeviations } from './median-regression';

/**
 * Regressors of the recent-dynamics median model: a constant (the median drift), the distance of
 * the latest value from its mean over the last quarter hour, hour, three hours and day, and the
 * last three one-step changes. Nothing seasonal: it needs no day of history, only enough origins.
 */
export const RECENT_MEDIAN_FEATURES = 8;
/** Evidence per coefficient, the rule of the seasonal median model: 10 origins, 5 independent `h`-step changes. */
const SAMPLES_PER_FEATURE = 10;
const INDEPENDENT_PER_FEATURE = 5;
const MAX_WINDOW_SEASONS = 7;
/** Steps of history the regressors read (three one-step changes). */
const LAGS = 3;

/** Options of {@link createRecentMedianModel}. */
export interface RecentMedianModelOptions {
  horizonSteps: number;
  /** Samples per day: the longest mean's window and the unit of the fitting window. */
  seasonLength: number;
  /** Samples per hour: the middle mean's window; the quarter hour and three hours follow from it. */
  levelWindow: number;
  /** Per-step discount of older origins in the fit (the ensemble's error decay). */
  decay: number;
  /** The series so far, `prefix[i]` the sum of its first `i` values, and which samples were gap fills. */
  history: readonly number[];
  prefix: readonly number[];
  filled: readonly boolean[];
}

/**
 * A direct median model per horizon on recent dynamics only: `y(t+h) − y(t)` regressed by least
 * absolute deviations on {@link RECENT_MEDIAN_FEATURES} regressors (constant, distance from the
 * quarter-hour, hour, three-hour and day means, last three steps). It is the seasonal median
 * member's sibling for series whose future is set by how they just moved (mean reversion after a
 * burst, momentum of a ramp) rather than by yesterday: it forecasts from the first hours, where
 * the seasonal one waits a day, and cannot be misled by a day that did not repeat. Fitted at the
 * anchor horizons (coefficients interpolated between them) on the last two seasons of origins,
 * discounted, more where the horizon needs; it forecasts only once its window holds 10 origins
 * and 5 independent `h`-step changes (`n / h`) per coefficient.
 *
 * @example
 * ```ts
 * const model = createRecentMedianModel({ horizonSteps: 12, seasonLength: 288, levelWindow: 12, decay: 0.998, history, prefix, filled });
 * model.refit(history.length - 1);
 * model.forecast(history.length - 1, 6); // NaN until the evidence rule is met
 * ```
 */
export function createRecentMedianModel(options: RecentMedianModelOptions): {
  refit(t: number): void;
  forecast(t: number, h: number): number;
} {
  const { history, prefix, filled, seasonLength, levelWindow, decay } = options;
  const p = RECENT_MEDIAN_FEATURES;
  const anchors = anchorHorizons(options.horizonSteps);
  const coefficients: Array<Float64Array | undefined> = anchors.map(() => undefined);
  const features = new Float64Array(p);
  const windows = [Math.max(2, Math.round(levelWindow / 4)), levelWindow, 3 * levelWindow, seasonLength];
  const windowFor = (h: number) =>
    Math.min(MAX_WINDOW_SEASONS * seasonLength, Math.max(2 * seasonLength, INDEPENDENT_PER_FEATURE * p * h));

  function regressors(t: number, out: Float64Array): boolean {
    if (t < LAGS) return false;
    const value = history[t]!;
    out[0] = 1;
    for (const [index, window] of windows.entries()) {
      const from = Math.max(0, t - window + 1);
      out[1 + index] = value - (prefix[t + 1]! - prefix[from]!) / (t + 1 - from);
    }
    for (let lag = 0; lag < LAGS; lag++)
      out[1 + windows.length + lag] = history[t - lag]! - history[t - lag - 1]!;
    return true;
  }

  function refitAnchor(index: number, h: number, t: number): void {
    const last = t - h;
    const first = Math.max(0, last - windowFor(h) + 1);
    const rows: number[] = [];
    const targets: number[] = [];
    const weights: number[] = [];
    for (let origin = first; origin <= last; origin++) {
      // Gap fills are never fitted on, as origins or as targets.
      if (filled[origin + h] || filled[origin]) continue;
      if (!regressors(origin, features)) continue;
      for (let j = 0; j < p; j++) rows.push(features[j]!);
      targets.push(history[origin + h]! - history[origin]!);
      weights.push(decay ** (last - origin));
    }
    const enough =
      targets.length >= SAMPLES_PER_FEATURE * p && targets.length / h >= INDEPENDENT_PER_FEATURE * p;
    if (!enough) return;
    coefficients[index] = leastAbsoluteDeviations(
      Float64Array.from(rows),
      Float64Array.from(targets),
      Float64Array.from(weights),
      p,
      { start: coefficients[index], iterations: coefficients[index] ? 8 : 20 },
    );
  }

  return {
    refit(t) {
      for (const [index, h] of anchors.entries()) refitAnchor(index, h, t);
    },
    forecast(t, h) {
      let upper = 0;
      while (anchors[upper]! < h) upper++;
      const lower = anchors[upper] === h ? upper : upper - 1;
      const low = coefficients[lower];
      const high = coefficients[upper];
      if (low === undefined || high === undefined || !regressors(t, features)) return Number.NaN;
      const span = anchors[upper]! - anchors[lower]!;
      const fraction = span === 0 ? 0 : (h - anchors[lower]!) / span;
      let change = 0;
      for (let j = 0; j < p; j++) change += (low[j]! + fraction * (high[j]! - low[j]!)) * features[j]!;
      return history[t]! + change;
    },
  };
}
