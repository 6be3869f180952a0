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
 * refreshed lazily: always while the ring holds few samples, then after every `count / 8` new
 * samples or once a second, whichever comes first, which keeps selection cheap.
 *
 * A refresh must not be expensive either: it lands inside one routed call (every 32nd sample of a
 * busy target), so its cost is that call's latency. Copying and sorting the ring took ≈ 12 µs at
 * 256 samples, a tail every ≈ 3 % of balanced calls. The ring's values are therefore also kept
 * sorted as they arrive (a binary search and one `copyWithin` per sample, ≈ 0.1 µs), and a refresh
 * reads the three ranks from that mirror; only when some sample has aged out of the window (a
 * target too quiet for the cost to matter) does it fall back to sorting the live samples.
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
  /** The ring's values in ascending order (its first `size` entries), kept up to date by `add`. */
  private readonly sorted: Float64Array;
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
    this.sorted = new Float64Array(capacity);
    this.windowMs = options.windowMs ?? 300_000;
  }

  /** Adds one sample observed at `at` (same clock as `quantiles`). */
  add(valueMs: number, at: number): void {
    if (!Number.isFinite(valueMs) || valueMs < 0) return;
    // `+ 0` turns −0 into 0, so the sorted mirror and a native sort agree on every value.
    const value = valueMs + 0;
    if (this.size === this.values.length) this.replaceSorted(this.values[this.next] ?? 0, value);
    else this.insertSorted(value);
    this.values[this.next] = value;
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
    this.dirty = 0;
    this.computedAt = now;
    let count = 0;
    for (let index = 0; index < this.size; index++) if ((this.times[index] ?? 0) >= cutoff) count++;
    if (count === 0) {
      this.cached = undefined;
      return;
    }
    // Every sample is live (a busy target): the mirror is the sorted window already.
    if (count === this.size) {
      this.cached = quantilesOf(this.sorted.subarray(0, count), count);
      return;
    }
    // Some samples aged out: copy the live ones into a shared typed scratch and sort it natively
    // (same order as `(a, b) => a - b` for these finite values, no fresh array, no JS comparator).
    if (scratch.length < this.size) scratch = new Float64Array(this.values.length);
    let at = 0;
    for (let index = 0; index < this.size; index++) {
      if ((this.times[index] ?? 0) >= cutoff) scratch[at++] = this.values[index] ?? 0;
    }
    this.cached = quantilesOf(scratch.subarray(0, count).sort(), count);
  }

  /** Inserts `value` into the sorted mirror (the ring is not full yet). */
  private insertSorted(value: number): void {
    const sorted = this.sorted;
    const at = upperBound(sorted, this.size, value);
    sorted.copyWithin(at + 1, at, this.size);
    sorted[at] = value;
  }

  /** Replaces one copy of `old` (the sample the ring overwrites) by `value` in the full mirror. */
  private replaceSorted(old: number, value: number): void {
    const sorted = this.sorted;
    const size = this.size;
    // The last copy of `old`: then the entries between it and `value`'s place shift by one.
    const from = upperBound(sorted, size, old) - 1;
    const to = upperBound(sorted, size, value);
    if (to > from) {
      // `value` goes above: shift (from, to) down by one, `value` lands at to − 1.
      sorted.copyWithin(from, from + 1, to);
      sorted[to - 1] = value;
    } else {
      // `value` goes below (or in place): shift [to, from) up by one, `value` lands at to.
      sorted.copyWithin(to + 1, to, from);
      sorted[to] = value;
    }
  }
}

/** The first index in `sorted[0, size)` whose value is greater than `value`. */
function upperBound(sorted: Float64Array, size: number, value: number): number {
  let low = 0;
  let high = size;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? 0) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function quantilesOf(live: Float64Array, count: number): LatencyQuantiles {
  return {
    p50: quantileOfSorted(live, 0.5),
    p95: quantileOfSorted(live, 0.95),
    p99: quantileOfSorted(live, 0.99),
    count,
  };
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
