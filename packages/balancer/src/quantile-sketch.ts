/** Smallest value with its own bucket; smaller values (0 ms included) share the zero bucket. */
const minIndexable = 1e-3;
/** Largest value with its own bucket (about 31 years in ms); larger values count as this. */
const maxIndexable = 1e12;

/**
 * A mergeable streaming quantile sketch with a relative error bound (the DDSketch scheme of
 * Masson, Rim and Lee, VLDB 2019): each value lands in a logarithmic bucket
 * `(γ^(i−1), γ^i]` with `γ = (1 + α) / (1 − α)`, and a quantile is read as the midpoint
 * `2γ^i / (γ + 1)` of the bucket holding the sample of that rank.
 *
 * **Error bound.** For `n` samples and any `q`, `quantile(q)` is within ±α (relative) of `x`,
 * the exact nearest-rank quantile (the sample of rank `⌈q·n⌉`, as {@link quantileOfSorted}
 * reads it): `|quantile(q) − x| ≤ α·x`. That holds for samples in [0.001, 10¹²] (ms, say);
 * samples below 0.001 (0 included) are reported as 0 or the smallest sample, an absolute error
 * under 0.001. Reported values are also clamped to the exact minimum and maximum, so a single
 * sample, or all-equal samples, come back exactly.
 *
 * **Memory.** One count per bucket between the smallest and the largest bucket seen, so at most
 * `ln(10¹⁵) / ln γ` buckets (1 727 at α = 1 %, 14 KB) however many samples: about 230 buckets
 * for values spanning 100 ms to 10 s. Insertion is O(1) (amortised growth of the bucket array).
 *
 * **Merging.** {@link merge} adds bucket counts, so merging sketches gives exactly the sketch of
 * the union of their samples, in any order: time-window rollups lose nothing.
 *
 * Written here rather than taken from `@datadog/sketches-js`: the balancer needs one store
 * layout (a dense array sized to the buckets in use, since it keeps one sketch per target per
 * minute), the nearest-rank definition its other quantiles use, exact min/max clamping and
 * an allocation-free merge into an accumulator; that is about 100 lines, against a runtime
 * dependency of a published package that brings serialisation and store kinds unused here.
 *
 * @example
 * ```ts
 * const sketch = new QuantileSketch(0.01);
 * for (const ms of [120, 130, 150, 900]) sketch.add(ms);
 * sketch.quantile(0.5); // ≈ 130 (within 1 %)
 * sketch.quantile(1); // 900 (the exact maximum)
 * ```
 */
export class QuantileSketch {
  /** α: the relative accuracy of every reported quantile. */
  readonly relativeAccuracy: number;
  private readonly logGamma: number;
  private readonly midpointFactor: number;
  private readonly maxIndex: number;
  private readonly minIndex: number;
  /** Bucket counts; `counts[k]` is bucket `offset + k`. */
  private counts = new Float64Array(0);
  private offset = 0;
  private zeroCount = 0;
  private total = 0;
  /** Exact sum of the samples (clamped like the buckets), so the mean needs no approximation. */
  private sum = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = Number.NEGATIVE_INFINITY;

  /** @param relativeAccuracy α, in (0, 1). Default 0.01 (1 %). */
  constructor(relativeAccuracy = 0.01) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1))
      throw new RangeError(`relativeAccuracy must be in (0, 1), got ${relativeAccuracy}`);
    this.relativeAccuracy = relativeAccuracy;
    const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.logGamma = Math.log(gamma);
    this.midpointFactor = 2 / (gamma + 1);
    this.minIndex = this.indexOf(minIndexable);
    this.maxIndex = this.indexOf(maxIndexable);
  }

  /** Samples added (merged ones included). */
  get count(): number {
    return this.total;
  }

  /** Exact arithmetic mean of the samples, or `NaN` when empty. */
  get mean(): number {
    return this.total === 0 ? Number.NaN : this.sum / this.total;
  }

  /** Buckets currently allocated: bounded by the value range, never by the sample count. */
  get bucketCount(): number {
    return this.counts.length;
  }

  /** Adds `value` (`count` times). Negative, NaN and infinite values are ignored. */
  add(value: number, count = 1): void {
    if (!(value >= 0 && value < Number.POSITIVE_INFINITY) || !(count > 0)) return;
    this.total += count;
    this.sum += value * count;
    if (value < this.minValue) this.minValue = value;
    if (value > this.maxValue) this.maxValue = value;
    if (value < minIndexable) {
      this.zeroCount += count;
      return;
    }
    const index = Math.min(this.maxIndex, this.indexOf(value));
    this.cover(index, index);
    this.counts[index - this.offset] = (this.counts[index - this.offset] ?? 0) + count;
  }

  /** Adds every sample of `other` (same relative accuracy) to this sketch. */
  merge(other: QuantileSketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy)
      throw new RangeError('Only sketches of the same relative accuracy merge');
    if (other.total === 0) return;
    this.total += other.total;
    this.sum += other.sum;
    this.zeroCount += other.zeroCount;
    if (other.minValue < this.minValue) this.minValue = other.minValue;
    if (other.maxValue > this.maxValue) this.maxValue = other.maxValue;
    const length = other.counts.length;
    if (length === 0) return;
    this.cover(other.offset, other.offset + length - 1);
    const shift = other.offset - this.offset;
    for (let k = 0; k < length; k++)
      this.counts[shift + k] = (this.counts[shift + k] ?? 0) + (other.counts[k] ?? 0);
  }

  /** The `q`-quantile (0 ≤ q ≤ 1) within the stated bound, or `NaN` when empty. */
  quantile(q: number): number {
    return this.quantiles([q])[0] ?? Number.NaN;
  }

  /** Several quantiles in one pass over the buckets; `qs` ascending is fastest, any order works. */
  quantiles(qs: readonly number[]): number[] {
    if (this.total === 0) return qs.map(() => Number.NaN);
    return qs.map((q) => {
      const rank = Math.min(this.total, Math.max(1, Math.ceil(q * this.total)));
      let running = this.zeroCount;
      if (running >= rank) return this.clamp(0);
      for (let k = 0; k < this.counts.length; k++) {
        running += this.counts[k] ?? 0;
        if (running >= rank)
          return this.clamp(Math.exp((this.offset + k) * this.logGamma) * this.midpointFactor);
      }
      return this.maxValue;
    });
  }

  /** Forgets every sample (keeps the bucket array). */
  clear(): void {
    this.counts.fill(0);
    this.zeroCount = 0;
    this.total = 0;
    this.sum = 0;
    this.minValue = Number.POSITIVE_INFINITY;
    this.maxValue = Number.NEGATIVE_INFINITY;
  }

  private indexOf(value: number): number {
    return Math.ceil(Math.log(value) / this.logGamma);
  }

  private clamp(value: number): number {
    return Math.min(this.maxValue, Math.max(this.minValue, value));
  }

  /** Grows the bucket array to hold buckets `low…high`, 8 spare buckets on a side that grows. */
  private cover(low: number, high: number): void {
    const length = this.counts.length;
    if (length === 0) {
      this.counts = new Float64Array(high - low + 1);
      this.offset = low;
      return;
    }
    const last = this.offset + length - 1;
    if (low >= this.offset && high <= last) return;
    const start = low < this.offset ? Math.max(this.minIndex, low - 8) : this.offset;
    const end = high > last ? Math.min(this.maxIndex, high + 8) : last;
    const counts = new Float64Array(end - start + 1);
    counts.set(this.counts, this.offset - start);
    this.counts = counts;
    this.offset = start;
  }
}
