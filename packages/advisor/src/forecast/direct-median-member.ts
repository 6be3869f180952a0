import { anchorHorizons, leastAbsoluteDeviations } from './median-regression';
import type { SeriesHistory } from './series-history';

/**
 * What a direct median model regresses `y(t+h) − y(t)` on: `count` regressors written into `out`
 * at origin `t` for horizon `h`, or `false` where they cannot be computed yet. A set that reads the
 * level itself measures it from `reference`, the last value when its fit was made (`centred`);
 * its column 0 is then the constant and column 1 the level, the only column `reference` moves.
 */
export interface MedianRegressors {
  readonly count: number;
  readonly centred?: boolean;
  fill(
    series: SeriesHistory,
    season: number,
    t: number,
    h: number,
    out: Float64Array,
    reference: number,
  ): boolean;
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
  // Measured from the last value at each fit: beside the constant 1, a level far from 0 (or from
  // any fixed point the series drifts away from) makes the normal equations ill-conditioned, and
  // the solver's relative ridge then swamps the level's own spread.
  centred: true,
  fill(series, _season, t, h, out, reference) {
    if (h > series.levelWindow) return false;
    out[0] = 1;
    out[1] = series.values[t]! - reference;
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
  /** The level each anchor's coefficients measure from (0 for sets that are not `centred`). */
  private readonly references: number[];
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
    this.references = this.anchors.map(() => 0);
  }

  /** Refits every anchor horizon's median model on the origins whose targets are known at `t`. */
  refit(t: number): void {
    const { values: history, filled } = this.series;
    const { anchors, coefficients, features, regressors, season } = this;
    const count = regressors.count;
    const reference = regressors.centred ? history[t]! : 0;
    for (const [index, h] of anchors.entries()) {
      const last = t - h;
      const first = Math.max(0, last - this.window(h) + 1);
      const rows: number[] = [];
      const targets: number[] = [];
      const weights: number[] = [];
      for (let origin = first; origin <= last; origin++) {
        // Gap fills are never fitted on, as origins or as targets.
        if (filled[origin + h] || filled[origin]) continue;
        if (!regressors.fill(this.series, season, origin, h, features, reference)) continue;
        for (let j = 0; j < count; j++) rows.push(features[j]!);
        targets.push(history[origin + h]! - history[origin]!);
        weights.push(this.decay ** (last - origin));
      }
      const enough =
        targets.length >= EVIDENCE_SAMPLES_PER_FEATURE * count &&
        targets.length / h >= EVIDENCE_INDEPENDENT_PER_FEATURE * count;
      if (!enough) continue;
      const start = this.rebased(index, reference);
      coefficients[index] = leastAbsoluteDeviations(
        Float64Array.from(rows),
        Float64Array.from(targets),
        Float64Array.from(weights),
        count,
        { start, iterations: start ? 8 : 20 },
      );
      this.references[index] = reference;
    }
  }

  /** `y(t) +` the median change to `t + h`, coefficients interpolated between anchor horizons. */
  forecast(t: number, h: number): number {
    const { anchors, features, blend, regressors } = this;
    let upper = 0;
    while (anchors[upper]! < h) upper++;
    const lower = anchors[upper] === h ? upper : upper - 1;
    // Both anchors measured from one reference (they differ only if one anchor skipped a refit).
    const reference = this.references[upper]!;
    const low = this.rebased(lower, reference);
    const high = this.rebased(upper, reference);
    if (low === undefined || high === undefined) return Number.NaN;
    if (!regressors.fill(this.series, this.season, t, h, features, reference)) return Number.NaN;
    const span = anchors[upper]! - anchors[lower]!;
    const fraction = span === 0 ? 0 : (h - anchors[lower]!) / span;
    let change = 0;
    for (let j = 0; j < regressors.count; j++) {
      blend[j] = low[j]! + fraction * (high[j]! - low[j]!);
      change += blend[j]! * features[j]!;
    }
    return this.series.values[t]! + change;
  }

  /**
   * Anchor `index`'s coefficients for levels measured from `reference` instead of the reference
   * they were fitted with: `c + b·(y − r₀) = c + b·(r − r₀) + b·(y − r)`. The same array when
   * nothing moves (every set that is not `centred`).
   */
  private rebased(index: number, reference: number): Float64Array | undefined {
    const fitted = this.coefficients[index];
    const shift = reference - this.references[index]!;
    if (fitted === undefined || shift === 0) return fitted;
    const moved = Float64Array.from(fitted);
    moved[0] = fitted[0]! + fitted[1]! * shift;
    return moved;
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
