import { adaptMiscoverage } from './adaptive-conformal';
import { ensembleMembers } from './ensemble-members';
import type { EnsembleSettings } from './ensemble-options';
import type { ForecastInterval, ForecastPoint } from './forecast-types';
import { forecastCell, forecastCells } from './origin-forecasts';
import { normalQuantile } from './quantiles';
import type { SeriesHistory } from './series-history';
import { SortedWindow } from './sorted-window';
import type { TypicalErrors } from './typical-errors';

/** Residuals a horizon needs before its own empirical quantiles are trusted. */
const MINIMUM_RESIDUALS = 20;
/**
 * Independent `h`-step errors each horizon's residual window holds. Errors from consecutive origins
 * overlap in `h − 1` steps, so `n` residuals carry about `n / h` independent ones (the argument
 * behind the weights' prior): a two-day window holds 576 one-step errors but only 8 six-hour ones,
 * and its 80 % quantile rests on one or two events. 40 puts about 8 independent errors beyond an
 * 80 % interval and 2 beyond a 95 % one; the window grows to `40 × h` steps where the default
 * (two seasons) is shorter.
 */
const INDEPENDENT_RESIDUALS = 40;
/**
 * Fewest independent errors expected outside an interval (`n / h × α`) for its two tails to be
 * estimated separately. Below it the interval is symmetric, from the quantile of `|residual|`:
 * with a handful of independent misses, which side they fell on is luck (Azure's one six-hour
 * miss before its climb was a drop), and pooling both tails doubles the evidence.
 */
const SEPARATE_TAIL_ERRORS = 5;
const MEMBER_COUNT = ensembleMembers.length;

/**
 * The ensemble's prediction intervals, split-conformal per horizon: the out-of-sample residuals
 * of the last `max(residualWindow, 40·h)` forecasts at each horizon, an adaptive miscoverage
 * target per horizon and level (Gibbs & Candès), and the scales and bounds of the forecasts still
 * waiting for their targets (the last `h` origins at horizon `h`), kept until they are scored.
 *
 * @internal
 * @example
 * ```ts
 * const intervals = new ConformalIntervals(settings, history, typical);
 * const point = intervals.point(t, 1, mean, intervals.scale(1, memberForecasts, mean));
 * intervals.record(t, 1, nextValue, mean); // once y(t + 1) is known
 * ```
 */
export class ConformalIntervals {
  private readonly horizon: number;
  private readonly levels: readonly number[];
  private readonly rate: number;
  private readonly bound: number;
  private readonly intervalScaling: EnsembleSettings['intervalScaling'];
  private readonly enabled: readonly boolean[];
  /** Signed residuals per horizon (index h − 1), divided by the score scale. */
  private readonly residuals: SortedWindow[];
  /** Adaptive miscoverage per horizon and level. */
  private readonly miscoverage: number[][];
  /** Forecasts still waiting for their targets (see `forecastCell`): the score scale… */
  private readonly scales: Float64Array;
  /** … and each level's `[lower, upper]`. */
  private readonly bounds: Float64Array;

  constructor(
    settings: EnsembleSettings,
    private readonly history: SeriesHistory,
    private readonly typical: TypicalErrors,
  ) {
    const { horizon, levels, residualWindow } = settings;
    this.horizon = horizon;
    this.levels = levels;
    this.rate = settings.adaptationRate;
    this.bound = settings.adaptiveMiscoverageBound;
    this.intervalScaling = settings.intervalScaling;
    this.enabled = settings.enabled;
    // `residualWindow` long, or 40 independent errors' worth at long horizons.
    const windowAt = (h: number) => Math.max(residualWindow, INDEPENDENT_RESIDUALS * h);
    this.residuals = Array.from({ length: horizon }, (_, index) => new SortedWindow(windowAt(index + 1)));
    this.miscoverage = Array.from({ length: horizon }, () => levels.map((value) => 1 - value));
    this.scales = new Float64Array(forecastCells(horizon)).fill(Number.NaN);
    this.bounds = new Float64Array(forecastCells(horizon) * levels.length * 2).fill(Number.NaN);
  }

  /**
   * Scale of the conformal score at horizon `h`: the typical absolute `h`-step error so far, plus
   * how far the members (`values`, `NaN` where absent) disagree now around `mean` (when they
   * disagree, e.g. seasonal-naive and last-value after a weekday/weekend switch, the interval
   * widens before the errors show it). 1 without `member-spread` scaling.
   */
  scale(h: number, values: Float64Array, mean: number): number {
    if (this.intervalScaling === 'none') return 1;
    const typical = this.typical.has(h) ? this.typical.mean(h) : this.history.stepDeviation() * Math.sqrt(h);
    let disagreement = 0;
    let active = 0;
    for (let member = 0; member < MEMBER_COUNT; member++) {
      if (Number.isNaN(values[member]!) || !this.enabled[member]) continue;
      disagreement += Math.abs(values[member]! - mean);
      active++;
    }
    const spread = active > 0 ? disagreement / active : 0;
    return typical + spread || 1;
  }

  /**
   * The forecast point `h` steps after origin `t`: `mean` with an interval per level (the first
   * one as `lower`/`upper`). The scale and bounds are kept to score the forecast later.
   */
  point(t: number, h: number, mean: number, scale: number): ForecastPoint {
    const cell = this.cell(t, h);
    this.scales[cell] = scale;
    const intervals: ForecastInterval[] = [];
    for (let index = 0; index < this.levels.length; index++) {
      const [low, high] = this.offsets(h, this.miscoverage[h - 1]![index]!, scale);
      const base = (cell * this.levels.length + index) * 2;
      this.bounds[base] = mean + low;
      this.bounds[base + 1] = mean + high;
      intervals.push({ level: this.levels[index]!, lower: mean + low, upper: mean + high });
    }
    const primary = intervals[0]!;
    return { step: h, mean, lower: primary.lower, upper: primary.upper, intervals: intervals.slice(1) };
  }

  /**
   * Scores the forecast made at `origin` for `h` steps ahead (its mean `mean`) now that `value`
   * arrived: its residual joins the horizon's windows, and each level's miscoverage target moves
   * by whether the value fell outside that level's interval.
   */
  record(origin: number, h: number, value: number, mean: number): void {
    const cell = this.cell(origin, h);
    const scale = this.scales[cell]!;
    // Their absolute values (symmetric intervals) are read from the same window.
    this.residuals[h - 1]!.push(scale > 0 ? (value - mean) / scale : 0);
    this.adaptMiscoverage(cell, h, value);
  }

  /** Sample standard deviation of the one-step residuals (`NaN` before two). */
  residualStandardDeviation(): number {
    const values = this.residuals[0]!.values();
    if (values.length < 2) return Number.NaN;
    let mean = 0;
    for (const value of values) mean += value;
    mean /= values.length;
    let squares = 0;
    for (const value of values) squares += (value - mean) ** 2;
    return Math.sqrt(squares / (values.length - 1));
  }

  /** Index of the forecast from origin `t`, `h` steps ahead, among the kept forecasts. */
  private cell(t: number, h: number): number {
    return forecastCell(t, h);
  }

  private adaptMiscoverage(cell: number, h: number, value: number): void {
    const target = this.miscoverage[h - 1]!;
    for (let index = 0; index < this.levels.length; index++) {
      const base = (cell * this.levels.length + index) * 2;
      const lower = this.bounds[base]!;
      const upper = this.bounds[base + 1]!;
      if (Number.isNaN(lower)) continue;
      target[index] = adaptMiscoverage(target[index]!, {
        nominal: 1 - this.levels[index]!,
        missed: value < lower || value > upper,
        rate: this.rate,
        bound: this.bound,
      });
    }
  }

  /**
   * Interval offsets `[low, high]` around the mean for horizon `h` at miscoverage `alpha`: the
   * `α/2` and `1 − α/2` quantiles of the signed residuals, or `±` the `1 − α` quantile of their
   * absolute values while fewer than {@link SEPARATE_TAIL_ERRORS} independent errors are expected
   * outside the interval. A horizon with too few residuals borrows the longest shorter one's,
   * widened by `√(h/h')`.
   */
  private offsets(h: number, alpha: number, scale: number): [number, number] {
    let source = h;
    while (source > 1 && this.residuals[source - 1]!.size < MINIMUM_RESIDUALS) source--;
    const window = this.residuals[source - 1]!;
    if (window.size < MINIMUM_RESIDUALS) {
      // Too few forecasts scored for empirical quantiles (a handful of residuals, scaled by an
      // early member spread, gave bounds twice the demand): the spread of the steps seen so far,
      // as a random walk would have it.
      const spread = normalQuantile(1 - alpha / 2) * this.history.stepDeviation() * Math.sqrt(h);
      return [-spread, spread];
    }
    const widen = Math.sqrt(h / source) * scale;
    if ((window.size / source) * alpha < SEPARATE_TAIL_ERRORS) {
      const radius = window.absoluteQuantile(1 - alpha) * widen;
      return [-radius, radius];
    }
    return [window.quantile(alpha / 2) * widen, window.quantile(1 - alpha / 2) * widen];
  }
}
