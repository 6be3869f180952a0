import { ensembleMembers } from './ensemble-members';
import { simplexLeastSquares } from './linear-solvers';
import { relativeMemberError } from './relative-member-errors';
import type { TypicalErrors } from './typical-errors';

/** Pseudo-observations of the pooled error that every member's error starts from (shrinks early weights to equal). */
const PRIOR_WEIGHT = 5;
const MEMBER_COUNT = ensembleMembers.length;
const PAIRS = MEMBER_COUNT * MEMBER_COUNT;
const LAST_VALUE = ensembleMembers.indexOf('last-value');

/** Options of {@link CombinationWeights}. */
export interface CombinationWeightsOptions {
  horizonSteps: number;
  /** Per-step discount of older errors. */
  decay: number;
  /** Prior deviation of a member's log error ratio to last-value (see `relativeMemberError`). */
  relativeErrorPriorDeviation: number;
  /** Per {@link ensembleMembers} index: whether the member may get weight. */
  enabled: readonly boolean[];
}

/**
 * The ensemble's combination weights per horizon, learned from the members' own out-of-sample
 * errors: a discounted error second-moment matrix per horizon (`record`), from which `weights`
 * solves the least-squares convex combination.
 *
 * @internal
 * @example
 * ```ts
 * const combination = new CombinationWeights({ horizonSteps: 12, decay: 0.998, relativeErrorPriorDeviation: Math.log(4), enabled });
 * combination.record(3, memberErrors, 1);
 * combination.weights(3, memberForecasts, weightsOut);
 * ```
 */
export class CombinationWeights {
  private readonly decay: number;
  private readonly priorDeviation: number;
  private readonly enabled: readonly boolean[];
  /** Per horizon (index h − 1): discounted sums of member error products e_i·e_j. */
  private readonly errorProducts: Float64Array;
  /** … and the discounted (robustly weighted) count of origins behind each. */
  private readonly productCounts: Float64Array;
  /**
   * Per horizon and member, over the origins that member was scored on: last-value's discounted
   * squared errors (same weights as the member's own) and the unweighted discounted origin count,
   * so each member is compared with last-value on the same origins (see `relativeMemberErrors`).
   */
  private readonly pairedLastValueSquares: Float64Array;
  private readonly pairedOrigins: Float64Array;

  constructor(options: CombinationWeightsOptions) {
    const horizon = options.horizonSteps;
    this.decay = options.decay;
    this.priorDeviation = options.relativeErrorPriorDeviation;
    this.enabled = options.enabled;
    this.errorProducts = new Float64Array(horizon * PAIRS);
    this.productCounts = new Float64Array(horizon * PAIRS);
    this.pairedLastValueSquares = new Float64Array(horizon * MEMBER_COUNT);
    this.pairedOrigins = new Float64Array(horizon * MEMBER_COUNT);
  }

  /**
   * Adds one origin's member errors at horizon `h` (`NaN` for a member that did not forecast),
   * the origin weighted `robust` (see the forecaster's robust weight).
   */
  record(h: number, errors: Float64Array, robust: number): void {
    const { decay, errorProducts, productCounts, pairedLastValueSquares, pairedOrigins } = this;
    const cell = (h - 1) * PAIRS;
    const lastValueSquare = errors[LAST_VALUE]! ** 2;
    for (let i = 0; i < MEMBER_COUNT; i++) {
      if (Number.isNaN(errors[i]!)) continue;
      const paired = (h - 1) * MEMBER_COUNT + i;
      pairedLastValueSquares[paired] = decay * pairedLastValueSquares[paired]! + robust * lastValueSquare;
      pairedOrigins[paired] = decay * pairedOrigins[paired]! + 1;
      for (let j = 0; j < MEMBER_COUNT; j++) {
        if (Number.isNaN(errors[j]!)) continue;
        const index = cell + i * MEMBER_COUNT + j;
        errorProducts[index] = decay * errorProducts[index]! + robust * errors[i]! * errors[j]!;
        productCounts[index] = decay * productCounts[index]! + robust;
      }
    }
  }

  /**
   * The convex combination of the available members with the least discounted mean squared error
   * over their past `h`-step errors: minimise `wᵀ M w` over the simplex by an active-set solve.
   * `M`, the discounted error second-moment matrix, is shrunk towards its own diagonal: with the
   * diagonal alone the weights are Bates & Granger's inverse-MSE weights, which ignore the
   * cross-products between members, the noisiest part of `M` and the part that makes fitted
   * combinations lose to simple ones (the "forecast combination puzzle"). The prior is worth
   * {@link PRIOR_WEIGHT} independent errors; `h`-step errors overlap, so it weighs `h` times as
   * many raw errors at horizon `h`, and the 6-hour weights trust cross-products only after days.
   * Correlated members share weight; a member that adds nothing gets 0.
   *
   * `values` are the members' forecasts (`NaN`: cannot forecast); `out` receives one weight per member.
   */
  weights(h: number, values: Float64Array, out: Float64Array): void {
    const active: number[] = [];
    for (let member = 0; member < MEMBER_COUNT; member++)
      if (!Number.isNaN(values[member]!) && this.enabled[member]) active.push(member);
    // A horizon with no scored error yet borrows the errors of the longest shorter one that has
    // some (as the intervals do); with none at all, the forecast is last-value, the one member
    // that assumes nothing about the series.
    let source = h;
    while (source >= 1 && !this.scored(source - 1, active)) source--;
    if (source < 1 && active.includes(LAST_VALUE)) {
      out.fill(0);
      out[LAST_VALUE] = 1;
      return;
    }
    source = Math.max(1, source);
    const moments = this.shrunkMoments(source, active);
    this.scaleToRelativeErrors(source, active, moments);
    const size = active.length;
    let trace = 0;
    for (let a = 0; a < size; a++) trace += moments[a * size + a]!;
    // A tiny ridge keeps the solve defined when a member has been exact (zero error).
    const ridge = (1e-9 * trace) / Math.max(1, size) + 1e-12;
    for (let a = 0; a < size; a++) moments[a * size + a] = moments[a * size + a]! + ridge;
    const weights = simplexLeastSquares(moments, size);
    out.fill(0);
    for (let a = 0; a < size; a++) out[active[a]!] = weights[a]!;
  }

  /** Whether any of the `active` members has a scored error at horizon index `horizonIndex` (h − 1). */
  private scored(horizonIndex: number, active: readonly number[]): boolean {
    for (const member of active)
      if (this.productCounts[horizonIndex * PAIRS + member * MEMBER_COUNT + member]! > 0) return true;
    return false;
  }

  /**
   * The active members' discounted error matrix at horizon `h`, each entry shrunk towards the
   * diagonal prior (a member's own mean squared error, or the best member's while it has none).
   */
  private shrunkMoments(h: number, active: readonly number[]): Float64Array {
    const { errorProducts, productCounts } = this;
    const cell = (h - 1) * PAIRS;
    const size = active.length;
    // A member not scored yet is taken to be as good as the best one (equal weights at the start).
    let best = Number.POSITIVE_INFINITY;
    for (const member of active) {
      const index = cell + member * MEMBER_COUNT + member;
      if (productCounts[index]! > 0) best = Math.min(best, errorProducts[index]! / productCounts[index]!);
    }
    const prior = Number.isFinite(best) ? best : 1;
    // h-step errors from consecutive origins overlap in h − 1 steps, so n of them carry about n / h
    // independent errors: the prior is worth PRIOR_WEIGHT independent errors at every horizon.
    const priorWeight = PRIOR_WEIGHT * h;
    const moments = new Float64Array(size * size);
    for (let a = 0; a < size; a++) {
      const own = cell + active[a]! * MEMBER_COUNT + active[a]!;
      const ownError = productCounts[own]! > 0 ? errorProducts[own]! / productCounts[own]! : prior;
      for (let b = 0; b < size; b++) {
        const index = cell + active[a]! * MEMBER_COUNT + active[b]!;
        const diagonal = a === b ? priorWeight * ownError : 0;
        moments[a * size + b] = (errorProducts[index]! + diagonal) / (productCounts[index]! + priorWeight);
      }
    }
    return moments;
  }

  /**
   * Rescales the error matrix `M` (in place, `D M D` with `D` diagonal) so that each member's
   * mean squared error is last-value's times its squared relative error (`relativeMemberErrors`),
   * keeping the correlations `M` estimated. `D M D` stays positive definite. Members scored on
   * different origins become comparable, and few errors no longer make a member look exact.
   */
  private scaleToRelativeErrors(h: number, active: readonly number[], moments: Float64Array): void {
    const own = (h - 1) * PAIRS + LAST_VALUE * MEMBER_COUNT + LAST_VALUE;
    if (!(this.productCounts[own]! > 0)) return;
    const lastValueError = this.errorProducts[own]! / this.productCounts[own]!;
    if (!(lastValueError > 0)) return;
    const size = active.length;
    const ratios = this.relativeMemberErrors(h, active);
    const factors = new Float64Array(size);
    for (let a = 0; a < size; a++) {
      const current = moments[a * size + a]!;
      factors[a] = current > 0 ? Math.sqrt((lastValueError * ratios[a]! ** 2) / current) : 1;
    }
    for (let a = 0; a < size; a++)
      for (let b = 0; b < size; b++)
        moments[a * size + b] = moments[a * size + b]! * factors[a]! * factors[b]!;
  }

  /**
   * Each active member's error at horizon `h` as a multiple of last-value's, from their errors on
   * the same origins, shrunk towards 1 (as good as last-value) while the member has few
   * independent `h`-step errors (`relativeMemberError`). A member scored on one 6-hour origin
   * (a seasonal member the day after its first season) is held at about last-value's error
   * instead of taking one small error as its MSE.
   */
  private relativeMemberErrors(h: number, active: readonly number[]): Float64Array {
    const ratios = new Float64Array(active.length);
    const cell = (h - 1) * PAIRS;
    for (const [a, member] of active.entries()) {
      const paired = (h - 1) * MEMBER_COUNT + member;
      const logRatio = relativeMemberError(
        {
          memberSquares: this.errorProducts[cell + member * MEMBER_COUNT + member]!,
          lastValueSquares: this.pairedLastValueSquares[paired]!,
          origins: this.pairedOrigins[paired]!,
        },
        h,
        this.priorDeviation,
      );
      ratios[a] = Math.exp(logRatio);
    }
    return ratios;
  }
}

/**
 * Weight of one origin's errors in the combination's error matrix: `δ / max(|e|, δ)`, with `e`
 * the combination's own error and `δ` its typical absolute `h`-step error. The score is absolute
 * error, and a squared-error fit of the weights lets a few spikes (which every member misses,
 * each differently) decide them: it buys members that hedge the spikes and lose everywhere
 * else. With this weight, minimising `wᵀ M w` is one iteratively-reweighted step towards the
 * Huber loss at `δ`: squared for typical errors, absolute beyond (the IRLS of `median-regression`,
 * run online). Before the combination has errors, or when it had none, every origin weighs 1.
 *
 * @internal
 */
export function robustOriginWeight(typical: TypicalErrors, h: number, combinedError: number): number {
  if (Number.isNaN(combinedError) || !typical.has(h)) return 1;
  const delta = typical.mean(h);
  return delta > 0 ? delta / Math.max(Math.abs(combinedError), delta) : 1;
}
