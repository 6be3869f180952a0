/** Latency quantiles of one window, in milliseconds. */
export interface LatencyQuantiles {
  p50: number;
  p95: number;
  p99: number;
  /** Samples the quantiles were computed from. */
  count: number;
}

/** Options of {@link LatencyWindow}. */
export interface LatencyWindowOptions {
  /** Most samples kept (a ring: the oldest is overwritten). Default 256. */
  capacity?: number;
  /** Samples older than this are ignored. Default 300 000 (5 minutes). */
  windowMs?: number;
}

/** Shared sort buffer of {@link LatencyWindow} recomputes (synchronous, so never used twice at once). */
let scratch = new Float64Array(256);

/**
 * A time-bounded ring of latency samples with cached quantiles. The quantiles are exact
 * (nearest-rank) over the samples the ring holds, the newest `capacity` within `windowMs`: a recency
 * bound for routing, not a sample of a longer stream (the metrics use {@link QuantileSketch} for that).
 *
 * Unlike LiteLLM's list, the ring rotates every slot (no "sticky first nine") and samples expire
 * by age, so a provider that recovered is not judged by what it did an hour ago. Quantiles are
 * recomputed lazily: always while the ring holds few samples, then after every `count / 8` new
 * samples or once a second, whichever comes first, which keeps selection cheap.
 *
 * @example
 * ```ts
 * const window = new LatencyWindow({ capacity: 128, windowMs: 60_000 });
 * window.add(120, Date.now());
 * window.quantiles(Date.now()); // { p50: 120, p95: 120, p99: 120, count: 1 }
 * ```
 */
export class LatencyWindow {
  private readonly values: Float64Array;
  private readonly times: Float64Array;
  private readonly windowMs: number;
  private next = 0;
  private size = 0;
  private cached: LatencyQuantiles | undefined;
  private dirty = 0;
  private computedAt = Number.NEGATIVE_INFINITY;

  constructor(options: LatencyWindowOptions = {}) {
    const capacity = options.capacity ?? 256;
    this.values = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    this.windowMs = options.windowMs ?? 300_000;
  }

  /** Adds one sample observed at `at` (same clock as `quantiles`). */
  add(valueMs: number, at: number): void {
    if (!Number.isFinite(valueMs) || valueMs < 0) return;
    this.values[this.next] = valueMs;
    this.times[this.next] = at;
    this.next = (this.next + 1) % this.values.length;
    if (this.size < this.values.length) this.size++;
    this.dirty++;
  }

  /** p50/p95/p99 of the samples younger than the window, or `undefined` when there are none. */
  quantiles(now: number): LatencyQuantiles | undefined {
    if (this.size === 0) return undefined;
    const stale =
      this.cached === undefined ||
      (this.dirty > 0 && (this.size < 32 || this.dirty >= this.size / 8)) ||
      now - this.computedAt >= 1000;
    if (stale) this.recompute(now);
    return this.cached;
  }

  /** Forgets every sample. */
  clear(): void {
    this.size = 0;
    this.next = 0;
    this.cached = undefined;
    this.dirty = 0;
  }

  private recompute(now: number): void {
    const cutoff = now - this.windowMs;
    // Copy the live samples into a shared typed scratch and sort it natively: same order as
    // `(a, b) => a - b` for these finite values, without a fresh array and a JS comparator
    // (this ran every few calls and showed up in the balancer's per-call profile).
    if (scratch.length < this.size) scratch = new Float64Array(this.values.length);
    let count = 0;
    for (let index = 0; index < this.size; index++) {
      if ((this.times[index] ?? 0) >= cutoff) scratch[count++] = this.values[index] ?? 0;
    }
    this.dirty = 0;
    this.computedAt = now;
    if (count === 0) {
      this.cached = undefined;
      return;
    }
    const live = scratch.subarray(0, count).sort();
    this.cached = {
      p50: quantileOfSorted(live, 0.5),
      p95: quantileOfSorted(live, 0.95),
      p99: quantileOfSorted(live, 0.99),
      count,
    };
  }
}

/**
 * Nearest-rank quantile of an ascending array.
 *
 * @example
 * ```ts
 * quantileOfSorted([1, 2, 3, 4], 0.5); // 2
 * ```
 */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
