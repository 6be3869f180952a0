import { EVIDENCE_INDEPENDENT_PER_FEATURE, EVIDENCE_SAMPLES_PER_FEATURE } from './direct-median-member';
import { solveLinearSystem } from './linear-solvers';
import type { SeriesHistory } from './series-history';

/** Regressors of the direct model (see `direct-regression` in `EnsembleMember`), intercept apart. */
const FEATURES = 5;
/**
 * Coefficients the fit estimates: the regressors' and the intercept's. The evidence rule counts
 * the intercept: it is estimated from the same overlapping `h`-step changes as the others (the
 * median models count their constant too).
 */
const COEFFICIENTS = FEATURES + 1;
/** Ridge penalty of the direct model, relative to the mean diagonal of its centred normal equations. */
const RIDGE = 0.01;

/**
 * The ensemble's `direct-regression` member: per horizon, `y(t+h) − y(t)` regressed on seasonal
 * and recent changes and on `y(t)` itself, with an intercept, by discounted ridge least squares,
 * updated online as each `h`-step target arrives. The fitted change `c + b·y(t) + …` reverts
 * towards the discounted long-run level `−c/b` where the data say so (`b < 0`). The intercept is
 * not penalised: the fit is on discounted means and centred co-moments (the intercept is the mean
 * change less the regressors' share of it), so the ridge, set from the centred diagonal, scales
 * with the series and the forecast is scale- and translation-equivariant.
 *
 * @internal
 * @example
 * ```ts
 * const member = new DirectRegressionMember({ horizonSteps: 12, seasonLength: 288, decay: 0.998 }, history);
 * member.fit(t, 3, value); // origin t − 3 → value at t
 * member.forecast(t, 3);
 * ```
 */
export class DirectRegressionMember {
  private readonly season: number;
  private readonly decay: number;
  /** Per horizon: discounted means of the regressors … */
  private readonly featureMean: Float64Array;
  /** … and of the change `y(t+h) − y(t)`, */
  private readonly targetMean: Float64Array;
  /** the discounted centred co-moments Σ (x − x̄)(x − x̄)ᵀ … */
  private readonly gram: Float64Array;
  /** … and Σ (x − x̄)·(change − mean change), */
  private readonly moment: Float64Array;
  /** and the ridge solution for the regressors (the intercept follows from the means). */
  private readonly coefficients: Float64Array;
  /** Discounted count of the origins behind each horizon's fit (its evidence, see `trusted`). */
  private readonly evidence: Float64Array;
  private readonly features = new Float64Array(FEATURES);
  private readonly deviations = new Float64Array(FEATURES);

  constructor(
    options: { horizonSteps: number; seasonLength: number; decay: number },
    private readonly series: SeriesHistory,
  ) {
    const horizon = options.horizonSteps;
    this.season = options.seasonLength;
    this.decay = options.decay;
    this.featureMean = new Float64Array(horizon * FEATURES);
    this.targetMean = new Float64Array(horizon);
    this.gram = new Float64Array(horizon * FEATURES * FEATURES);
    this.moment = new Float64Array(horizon * FEATURES);
    this.coefficients = new Float64Array(horizon * FEATURES);
    this.evidence = new Float64Array(horizon);
  }

  /** `y(t) +` the fitted change to `t + h`; `NaN` while the fit lacks evidence or a season. */
  forecast(t: number, h: number): number {
    const { features, coefficients, featureMean } = this;
    if (!this.trusted(h) || !this.regressors(t, h, features)) return Number.NaN;
    const m = (h - 1) * FEATURES;
    let change = this.targetMean[h - 1]!;
    for (let index = 0; index < FEATURES; index++)
      change += coefficients[m + index]! * (features[index]! - featureMean[m + index]!);
    return this.series.values[t]! + change;
  }

  /**
   * Adds origin `t − h` → value at `t` to horizon `h`'s discounted means and centred co-moments
   * (West's weighted update, stable where the level is large against its variation) and re-solves.
   * With prior weight `W' = decay·W`: `x̄ += δ / (W' + 1)`, `C = decay·C + W'/(W' + 1)·δ δᵀ`, `δ = x − x̄`.
   */
  fit(t: number, h: number, value: number): void {
    const { decay, gram, moment, features, featureMean, targetMean } = this;
    const origin = t - h;
    if (!this.regressors(origin, h, features)) return;
    const target = value - this.series.values[origin]!;
    const prior = decay * this.evidence[h - 1]!;
    const total = prior + 1;
    this.evidence[h - 1] = total;
    const share = prior / total;
    const g = (h - 1) * FEATURES * FEATURES;
    const m = (h - 1) * FEATURES;
    const deviations = this.deviations;
    for (let i = 0; i < FEATURES; i++) deviations[i] = features[i]! - featureMean[m + i]!;
    const targetDeviation = target - targetMean[h - 1]!;
    for (let i = 0; i < FEATURES; i++) {
      moment[m + i] = decay * moment[m + i]! + share * deviations[i]! * targetDeviation;
      for (let j = 0; j < FEATURES; j++)
        gram[g + i * FEATURES + j] =
          decay * gram[g + i * FEATURES + j]! + share * deviations[i]! * deviations[j]!;
      featureMean[m + i] = featureMean[m + i]! + deviations[i]! / total;
    }
    targetMean[h - 1] = targetMean[h - 1]! + targetDeviation / total;
    let diagonal = 0;
    for (let i = 0; i < FEATURES; i++) diagonal += gram[g + i * FEATURES + i]!;
    const ridge = (RIDGE * diagonal) / FEATURES + 1e-12;
    const system = new Float64Array(FEATURES * (FEATURES + 1));
    for (let i = 0; i < FEATURES; i++) {
      for (let j = 0; j < FEATURES; j++)
        system[i * (FEATURES + 1) + j] = gram[g + i * FEATURES + j]! + (i === j ? ridge : 0);
      system[i * (FEATURES + 1) + FEATURES] = moment[m + i]!;
    }
    const solved = solveLinearSystem(system, FEATURES);
    if (solved !== undefined) for (let i = 0; i < FEATURES; i++) this.coefficients[m + i] = solved[i]!;
  }

  /**
   * Whether horizon `h`'s fit has the evidence the median models need before they forecast:
   * 10 origins and 5 independent `h`-step changes (`n / h`) per coefficient, the intercept
   * included (6 in all), `n` the discounted count of origins behind the fit. With the one-season
   * half-life `n` stays below about `1.44 × season`, so at long horizons (beyond about 13 steps
   * with a 288-step season, 6 hours at 5-minute steps among them) the least-squares fit on a
   * handful of independent changes, which overfit there, stays out.
   */
  private trusted(h: number): boolean {
    const evidence = this.evidence[h - 1]!;
    return (
      evidence >= EVIDENCE_SAMPLES_PER_FEATURE * COEFFICIENTS &&
      evidence / h >= EVIDENCE_INDEPENDENT_PER_FEATURE * COEFFICIENTS
    );
  }

  /** The regressors at origin `t` for horizon `h`; `false` before a season is known. */
  private regressors(t: number, h: number, out: Float64Array): boolean {
    const { series, season } = this;
    const history = series.values;
    const lag = season * Math.ceil(h / season);
    if (t - lag < 0 || t < 1) return false;
    out[0] = history[t + h - lag]! - history[t - lag]!;
    out[1] = history[t]! - history[t - lag]!;
    out[2] = history[t]! - history[t - 1]!;
    out[3] = history[t]! - series.recentLevel(t);
    out[4] = history[t]!;
    return true;
  }
}
