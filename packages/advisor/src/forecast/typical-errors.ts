/**
 * The ensemble's typical absolute `h`-step error per horizon: a discounted mean of `|y − ŷ|`.
 * It sets the robust weight of an origin in the combination and the scale of the conformal score.
 *
 * @internal
 * @example
 * ```ts
 * const typical = new TypicalErrors(12, 0.998);
 * typical.record(3, 0.4);
 * typical.has(3) && typical.mean(3); // 0.4
 * ```
 */
export class TypicalErrors {
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;

  /** `decay`: per-step discount of older errors. */
  constructor(
    horizonSteps: number,
    private readonly decay: number,
  ) {
    this.sums = new Float64Array(horizonSteps);
    this.counts = new Float64Array(horizonSteps);
  }

  record(h: number, absoluteError: number): void {
    this.sums[h - 1] = this.sums[h - 1]! * this.decay + absoluteError;
    this.counts[h - 1] = this.counts[h - 1]! * this.decay + 1;
  }

  /** Whether horizon `h` has any error recorded. */
  has(h: number): boolean {
    return this.counts[h - 1]! > 0;
  }

  /** The discounted mean absolute error at `h` (only meaningful when {@link has}). */
  mean(h: number): number {
    return this.sums[h - 1]! / this.counts[h - 1]!;
  }
}
