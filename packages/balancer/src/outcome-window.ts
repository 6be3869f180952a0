/** Successes and failures counted in a sliding window. */
export interface OutcomeCounts {
  successes: number;
  failures: number;
}

/**
 * Counts successes and failures over a sliding time window, in a fixed number of buckets
 * (memory does not grow with traffic). Used by the circuit breaker and by the reliability score.
 *
 * @example
 * ```ts
 * const window = new OutcomeWindow(60_000);
 * window.add(false, Date.now());
 * window.counts(Date.now()); // { successes: 0, failures: 1 }
 * ```
 */
export class OutcomeWindow {
  private readonly bucketMs: number;
  private readonly epochs: Float64Array;
  private readonly successes: Uint32Array;
  private readonly failures: Uint32Array;
  /**
   * The last `counts()` answer and the bucket it was computed in: reused until an outcome is
   * added or time moves into another bucket (the balancer reads every target's counts on every
   * call). Replaced, never mutated, so an answer a caller kept stays right.
   */
  private cached: OutcomeCounts | undefined = undefined;
  private cachedEpoch = Number.NaN;

  constructor(
    readonly windowMs: number,
    buckets = 12,
  ) {
    this.bucketMs = Math.max(1, windowMs / buckets);
    this.epochs = new Float64Array(buckets).fill(-1);
    this.successes = new Uint32Array(buckets);
    this.failures = new Uint32Array(buckets);
  }

  /** Records one outcome observed at `at`. */
  add(success: boolean, at: number): void {
    const epoch = Math.floor(at / this.bucketMs);
    const index = epoch % this.epochs.length;
    if (this.epochs[index] !== epoch) {
      this.epochs[index] = epoch;
      this.successes[index] = 0;
      this.failures[index] = 0;
    }
    this.cached = undefined;
    if (success) this.successes[index] = (this.successes[index] ?? 0) + 1;
    else this.failures[index] = (this.failures[index] ?? 0) + 1;
  }

  /** Outcomes of the buckets that overlap the last `windowMs`. */
  counts(now: number): OutcomeCounts {
    const current = Math.floor(now / this.bucketMs);
    if (this.cached !== undefined && this.cachedEpoch === current) return this.cached;
    const oldest = current - this.epochs.length + 1;
    let successes = 0;
    let failures = 0;
    for (let index = 0; index < this.epochs.length; index++) {
      const epoch = this.epochs[index] ?? -1;
      if (epoch >= oldest && epoch <= current) {
        successes += this.successes[index] ?? 0;
        failures += this.failures[index] ?? 0;
      }
    }
    this.cached = { successes, failures };
    this.cachedEpoch = current;
    return this.cached;
  }

  /** Forgets every outcome. */
  clear(): void {
    this.epochs.fill(-1);
    this.cached = undefined;
  }
}
