/**
 * Prior standard deviation of a member's log error ratio to last-value (`ln 4`): before any
 * evidence, a member's typical error is within a factor 4 of last-value's either way at one σ.
 * Wide on purpose (a seasonal member is often 3–5 × better or worse than last-value at short
 * horizons on real traces), so that evidence, not the prior, sets the well-measured members'
 * weights, while a member scored on a few overlapping errors stays near last-value. Chosen as a
 * round "factor of a few" before measuring; the sweep (ln 2, ln 4, ln 8, no shrinkage) is in
 * `docs/autoscaling.md`.
 */
export const RELATIVE_ERROR_PRIOR_DEVIATION = Math.log(4);

/**
 * One member's evidence against last-value at one horizon, all discounted sums over the **same**
 * origins (those where the member forecast and its target arrived).
 */
export interface PairedMemberErrors {
  /** Σ w·e_member² over the paired origins. */
  memberSquares: number;
  /** Σ w·e_lastValue² over the same origins, with the same weights. */
  lastValueSquares: number;
  /** Discounted count of those origins (unweighted), the raw evidence. */
  origins: number;
}

/**
 * The member's error relative to last-value, as a shrunk log ratio of root-mean-square errors:
 * `r = ½ ln(Σ e_m² / Σ e_LV²)` on the same origins, times `n σ² / (n σ² + 1)`, with
 * `n = origins / h` the number of non-overlapping `h`-step windows (errors of consecutive origins
 * share `h − 1` steps, so `n` origins carry about `n / h` independent errors) and `σ` the prior
 * deviation. It is the posterior mean of a normal prior `N(0, σ²)` (as good as last-value) updated
 * by an observation of variance `1 / n`: the log of a root-mean-square estimate from `n`
 * independent Gaussian errors has variance about `1 / (2n)`, and two of them, taken as
 * independent, `1 / n` (the positive correlation of paired errors would lower it, heavier tails
 * raise it). 0 without evidence; `exp` of it is the member's error as a multiple of last-value's.
 *
 * Pairing matters because members start at different times: a seasonal member scored only after
 * a day, or once at six hours, would otherwise be compared with last-value's error over other
 * origins, and one lucky error would read as a tiny MSE.
 *
 * @example
 * ```ts
 * relativeMemberError({ memberSquares: 4, lastValueSquares: 16, origins: 1000 }, 1); // ≈ ln ½
 * relativeMemberError({ memberSquares: 4, lastValueSquares: 16, origins: 1 }, 72); // ≈ 0
 * ```
 */
export function relativeMemberError(
  paired: PairedMemberErrors,
  horizonSteps: number,
  priorDeviation: number = RELATIVE_ERROR_PRIOR_DEVIATION,
): number {
  const { memberSquares, lastValueSquares, origins } = paired;
  if (!(origins > 0)) return 0;
  const largest = Math.max(memberSquares, lastValueSquares);
  if (!(largest > 0)) return 0;
  // Both exact would be 0/0; a floor far below either keeps one exact member finite.
  const floor = largest * 1e-12;
  const logRatio = 0.5 * Math.log(Math.max(memberSquares, floor) / Math.max(lastValueSquares, floor));
  if (!Number.isFinite(priorDeviation)) return logRatio;
  const evidence = (origins / horizonSteps) * priorDeviation * priorDeviation;
  return logRatio * (evidence / (evidence + 1));
}
