import { anchorHorizons, leastAbsoluteDeviations } from './median-regression';
import type { SeriesHistory } from './series-history';

/**
 * What a direct median model regresses `y(t+h) − y(t)` on: `count` regressors written into `out`
 * at origin `t` for horizon `h`, or `false` where they cannot be computed yet.
 */
export interface MedianRegressors {
  readonly count: number;
  fill(series: SeriesHistory, season: number, t: number, h: number, out: Float64Array): boolean;
}

/**
 * The `median-regression` member's regressors: a constant, the distance from the last hour's and
 * the last day's mean, the last step, the change the season saw a day earlier, and today against a
 * day earlier.
 */
export const seasonalMedianRegressors: MedianRegressors = {
  count: 6,
  fill(series, season, t, h, out) {
    const history = series.values;
    const lag = season * Math.ceil(h / season);
    if (t - lag < 0 || t < 1) return false;
    const dayLevel = series.meanOver(t, season);
    out[0] = 1;
    out[1] = history[t]! - series.recentLevel(t);
    out[2] = history[t]! - dayLevel;
    out[3] = history[t]! - history[t - 1]!;
    out[4] = history[t + h - lag]! - history[t - lag]!;
    out[5] = history[t]! - history[t - lag]!;
    return true;
  },
};

/**
 * The `level-reversion` member's regressors: a constant and the level `y(t)`. The fit
 * `c + b·y(t)` reverts towards the median level `−c/b` at the rate the window's `h`-step changes
 * show (`b` near 0: last-value). Hindsight and past-only fits found this pair the one that
 * tips Google's 30-minute cell (see docs/history/autoscaling-forecasting.md).
 *
 * Only up to the recent-level window (an hour): reverting to a level fitted over days assumes the
 * level holds over the horizon, which a daily cycle or a level shift breaks within hours. The same
 * two coefficients fitted on the past scored 1.42 × last-value at Azure's 6 hours.
 */
export const levelReversionRegressors: MedianRegressors = {
  count: 2,
  fill(series, _season, t, h, out) {
    if (h > series.levelWindow) return false;
    out[0] = 1;
    // Measured from the first sample, a fixed point that moves with the series: a raw level of
    // 1e3 beside the constant 1 makes the normal equations ill-conditioned, and the fit then
    // depends on where the series sits, not only on its shape.
    out[1] = series.values[t]! - series.values[0]!;
    return true;
  },
};
/**
 * Evidence the median model needs per coefficient: 10 origins, and 5 _independent_ `h`-step
 * changes. Changes from consecutive origins overlap in `h − 1` steps, so `n` origins carry about
 * `n / h` independent ones (the argument behind the ensemble's prior): at long horizons the model
 * waits for a longer history instead of fitting six coefficients on a handful of independent
 * changes. It fits on the last two seasons of origins, more (up to a week) where the horizon needs.
 * The direct-regression member follows the same rule.
 */
export const EVIDENCE_SAMPLES_PER_FEATURE = 10;
export const EVIDENCE_INDEPENDENT_PER_FEATURE = 5;
/** Fewest origins the median model's window spans per coefficient, for short seasons. */
const MINIMUM_WINDOW_PER_FEATURE = 20;
const MAX_WINDOW_SEASONS = 7;

/**
 * The ensemble's direct median members (`median-regression`, `level-reversion`): a model per
 * horizon fitted for the median (least absolute deviations) on a set of regressors, refitted at
 * the anchor horizons (coefficients interpolated between them) on a discounted window of past
 * origins.
 *
 * @internal
 * @example
 * ```ts
 * const member = new DirectMedianMember({ horizonSteps: 12, seasonLength: 288, decay: 0.998 }, history, seasonalMedianRegressors);
 * member.refit(history.length - 1);
 * member.forecast(history.length - 1, 6); // NaN until the evidence rule is met
 * ```
 */
export class DirectMedianMember {
  private readonly season: number;
  private readonly decay: number;
  /** Horizons fitted; the others interpolate between their neighbours. */
  private readonly anchors: number[];
  /** Coefficients per anchor horizon (`undefined` until the evidence rule is met). */
  private readonly coefficients: Array<Float64Array | undefined>;
  private readonly features: Float64Array;
  private readonly blend: Float64Array;

  constructor(
    options: { horizonSteps: number; seasonLength: number; decay: number },
    private readonly series: SeriesHistory,
    private readonly regressors: MedianRegressors,
  ) {
    this.features = new Float64Array(regressors.count);
    this.blend = new Float64Array(regressors.count);
    this.season = options.seasonLength;
    this.decay = options.decay;
    this.anchors = anchorHorizons(options.horizonSteps);
    this.coefficients = this.anchors.map(() => undefined);
  }

  /** Refits every anchor horizon's median model on the origins whose targets are known at `t`. */
  refit(t: number): void {
    const { values: history, filled } = this.series;
    const { anchors, coefficients, features, regressors, season } = this;
    const count = regressors.count;
    for (const [index, h] of anchors.entries()) {
      const last = t - h;
      const first = Math.max(0, last - this.window(h) + 1);
      const rows: number[] = [];
      const targets: number[] = [];
      const weights: number[] = [];
      for (let origin = first; origin <= last; origin++) {
        // Gap fills are never fitted on, as origins or as targets.
        if (filled[origin + h] || filled[origin]) continue;
        if (!regressors.fill(this.series, season, origin, h, features)) continue;
        for (let j = 0; j < count; j++) rows.push(features[j]!);
        targets.push(history[origin + h]! - history[origin]!);
        weights.push(this.decay ** (last - origin));
      }
      const enough =
        targets.length >= EVIDENCE_SAMPLES_PER_FEATURE * count &&
        targets.length / h >= EVIDENCE_INDEPENDENT_PER_FEATURE * count;
      if (!enough) continue;
      coefficients[index] = leastAbsoluteDeviations(
        Float64Array.from(rows),
        Float64Array.from(targets),
        Float64Array.from(weights),
        count,
        { start: coefficients[index], iterations: coefficients[index] ? 8 : 20 },
      );
    }
  }

  /** `y(t) +` the median change to `t + h`, coefficients interpolated between anchor horizons. */
  forecast(t: number, h: number): number {
    const { anchors, coefficients, features, blend, regressors } = this;
    let upper = 0;
    while (anchors[upper]! < h) upper++;
    const lower = anchors[upper] === h ? upper : upper - 1;
    const low = coefficients[lower];
    const high = coefficients[upper];
    if (low === undefined || high === undefined) return Number.NaN;
    if (!regressors.fill(this.series, this.season, t, h, features)) return Number.NaN;
    const span = anchors[upper]! - anchors[lower]!;
    const fraction = span === 0 ? 0 : (h - anchors[lower]!) / span;
    let change = 0;
    for (let j = 0; j < regressors.count; j++) {
      blend[j] = low[j]! + fraction * (high[j]! - low[j]!);
      change += blend[j]! * features[j]!;
    }
    return this.series.values[t]! + change;
  }

  /** Origins horizon `h` fits on: two seasons, more where `h` needs them, at most a week. */
  private window(h: number): number {
    const { season, regressors } = this;
    return Math.min(
      MAX_WINDOW_SEASONS * season,
      Math.max(
        2 * season,
        EVIDENCE_INDEPENDENT_PER_FEATURE * regressors.count * h,
        MINIMUM_WINDOW_PER_FEATURE * regressors.count,
      ),
    );
  }
}
