import { solveLinearSystem } from './linear-solvers';
import { EVIDENCE_INDEPENDENT_PER_FEATURE, EVIDENCE_SAMPLES_PER_FEATURE } from './seasonal-median-member';
import type { SeriesHistory } from './series-history';

/** Regressors of the direct model (see `direct-regression` in `EnsembleMember`). */
const FEATURES = 4;
/** Ridge penalty of the direct model, relative to the mean diagonal of its normal equations. */
const RIDGE = 0.01;

/**
 * The ensemble's `direct-regression` member: per horizon, `y(t+h) − y(t)` regressed on seasonal
 * and recent changes by discounted ridge least squares, updated online as each `h`-step target
 * arrives.
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
  /** Per horizon: discounted normal equations Σ x xᵀ … */
  private readonly gram: Float64Array;
  /** … and Σ x·(y(t+h) − y(t)), */
  private readonly moment: Float64Array;
  /** and their ridge solution. */
  private readonly coefficients: Float64Array;
  /** Discounted count of the origins behind each horizon's fit (its evidence, see `trusted`). */
  private readonly evidence: Float64Array;
  private readonly features = new Float64Array(FEATURES);

  constructor(
    options: { horizonSteps: number; seasonLength: number; decay: number },
    private readonly series: SeriesHistory,
  ) {
    const horizon = options.horizonSteps;
    this.season = options.seasonLength;
    this.decay = options.decay;
    this.gram = new Float64Array(horizon * FEATURES * FEATURES);
    this.moment = new Float64Array(horizon * FEATURES);
    this.coefficients = new Float64Array(horizon * FEATURES);
    this.evidence = new Float64Array(horizon);
  }

  /** `y(t) +` the fitted change to `t + h`; `NaN` while the fit lacks evidence or a season. */
  forecast(t: number, h: number): number {
    const { features, coefficients } = this;
    if (!this.trusted(h) || !this.regressors(t, h, features)) return Number.NaN;
    let change = 0;
    for (let index = 0; index < FEATURES; index++)
      change += coefficients[(h - 1) * FEATURES + index]! * features[index]!;
    return this.series.values[t]! + change;
  }

  /** Adds origin `t − h` → value at `t` to horizon `h`'s normal equations and re-solves them. */
  fit(t: number, h: number, value: number): void {
    const { decay, gram, moment, features } = this;
    const origin = t - h;
    if (!this.regressors(origin, h, features)) return;
    const target = value - this.series.values[origin]!;
    this.evidence[h - 1] = decay * this.evidence[h - 1]! + 1;
    const g = (h - 1) * FEATURES * FEATURES;
    const m = (h - 1) * FEATURES;
    for (let i = 0; i < FEATURES; i++) {
      moment[m + i] = decay * moment[m + i]! + features[i]! * target;
      for (let j = 0; j < FEATURES; j++)
        gram[g + i * FEATURES + j] = decay * gram[g + i * FEATURES + j]! + features[i]! * features[j]!;
    }
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
   * 10 origins and 5 independent `h`-step changes (`n / h`) per coefficient, `n` the discounted
   * count of origins behind the fit. With the one-season half-life `n` stays below about
   * `1.44 × season`, so at long horizons (6 hours at 5-minute steps) the least-squares fit on a
   * handful of independent changes, which overfit there, stays out.
   */
  private trusted(h: number): boolean {
    const evidence = this.evidence[h - 1]!;
    return (
      evidence >= EVIDENCE_SAMPLES_PER_FEATURE * FEATURES &&
      evidence / h >= EVIDENCE_INDEPENDENT_PER_FEATURE * FEATURES
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
    return true;
  }
}
