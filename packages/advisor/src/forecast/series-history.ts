/**
 * The series the ensemble has seen: values, their prefix sums (for window means in O(1)) and
 * which samples were gap fills. The arrays are shared read-only with the members that read them.
 *
 * @internal
 * @example
 * ```ts
 * const history = new SeriesHistory(12);
 * history.push(4.2, false);
 * history.recentLevel(0); // 4.2
 * ```
 */
export class SeriesHistory {
  readonly values: number[] = [];
  /** `prefix[i]`: the sum of the first `i` values. */
  readonly prefix: number[] = [0];
  readonly filled: boolean[] = [];
  /** Samples pushed that were not gap fills. */
  observedCount = 0;

  /** `levelWindow`: samples in the "recent level" (the last hour). */
  constructor(readonly levelWindow: number) {}

  get length(): number {
    return this.values.length;
  }

  /** Appends a sample; returns its index `t`. */
  push(value: number, filled: boolean): number {
    const t = this.values.length;
    this.values.push(value);
    this.prefix.push(this.prefix[t]! + value);
    this.filled.push(filled);
    if (!filled) this.observedCount++;
    return t;
  }

  /** Mean of the last `window` values up to and including `t` (fewer at the start). */
  meanOver(t: number, window: number): number {
    const from = Math.max(0, t - window + 1);
    return (this.prefix[t + 1]! - this.prefix[from]!) / (t + 1 - from);
  }

  /** The "recent level" at `t`: the mean over the level window. */
  recentLevel(t: number): number {
    return this.meanOver(t, this.levelWindow);
  }

  /** Root mean square of the one-step changes so far (0 before two samples). */
  stepDeviation(): number {
    const history = this.values;
    let squares = 0;
    for (let t = 1; t < history.length; t++) squares += (history[t]! - history[t - 1]!) ** 2;
    return history.length > 1 ? Math.sqrt(squares / (history.length - 1)) : 0;
  }
}
