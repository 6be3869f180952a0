/**
 * Sparse log-scale histogram of milliseconds: bucket `i` holds values in (1.05^(i-1), 1.05^i], so a
 * quantile read from it is never below the true (nearest-rank) value and at most 5 % above it, for
 * values from 1 ms to 1.05^400 ms (values at or below 1 ms read as 1 ms; longer ones are clamped).
 * Per-minute rollups keep one per provider and model; histograms add up, so p95 over any window is
 * read from the summed buckets without keeping every call.
 *
 * It is the DDSketch scheme (log buckets, mergeable by adding counts) with γ = 1.05 and the bucket's
 * upper bound as the reading. `@ballast/balancer` has its own `QuantileSketch` of the same family;
 * the store cannot import it (both depend on `@ballast/core` only, see DESIGN.md), and the stored
 * layout below is the store's own contract with its databases.
 */
export type LatencyHistogram = Record<number, number>;

const growth = 1.05;
const logGrowth = Math.log(growth);
/** Highest bucket: 1.05^400 ms ≈ 3e8 ms; anything longer is clamped into it. */
export const maxLatencyBucket = 400;

/** Bucket index of a value in milliseconds. */
export function latencyBucket(valueMs: number): number {
  if (valueMs <= 1) return 0;
  return Math.min(maxLatencyBucket, Math.ceil(Math.log(valueMs) / logGrowth - 1e-9));
}

/** The value a bucket reads as: its upper bound (1 ms for bucket 0). */
export function bucketUpperBound(bucket: number): number {
  return bucket === 0 ? 1 : growth ** bucket;
}

/** Adds `count` observations of bucket `bucket` into `histogram` (mutates it). */
export function addToHistogram(histogram: LatencyHistogram, bucket: number, count = 1): void {
  histogram[bucket] = (histogram[bucket] ?? 0) + count;
}

/** Adds every bucket of `from` into `into` (mutates `into`). */
export function mergeHistogram(into: LatencyHistogram, from: LatencyHistogram): void {
  for (const [bucket, count] of Object.entries(from)) addToHistogram(into, Number(bucket), count);
}

/** A histogram as one count per bucket `0…maxLatencyBucket`, the form windows are summed in. */
export function denseHistogram(): Float64Array {
  return new Float64Array(maxLatencyBucket + 1);
}

/** Adds a sparse histogram into a dense one (mutates `into`). */
export function addSparseToDense(into: Float64Array, from: LatencyHistogram): void {
  for (const bucket in from) {
    const index = Number(bucket);
    if (index >= 0 && index <= maxLatencyBucket) into[index]! += from[index] ?? 0;
  }
}

/**
 * Adds a stored histogram (the value `JSON.parse` gives for {@link serializeHistogram}'s output:
 * `[firstBucket, count, count, …]`, or the `{ "bucket": count }` object older rows hold) into a
 * dense one. Anything else adds nothing.
 */
export function addStoredToDense(into: Float64Array, stored: unknown): void {
  if (Array.isArray(stored)) {
    const first = stored[0];
    if (typeof first !== 'number' || !Number.isInteger(first) || first < 0) return;
    const last = Math.min(stored.length - 1, maxLatencyBucket - first + 1);
    for (let offset = 1; offset <= last; offset++) {
      const count = stored[offset];
      if (typeof count === 'number') into[first + offset - 1]! += count;
    }
    return;
  }
  if (stored && typeof stored === 'object') addSparseToDense(into, stored as LatencyHistogram);
}

/** The `quantile` (0..1) of a dense histogram as the upper bound of its bucket, `null` when empty. */
export function denseQuantile(counts: Float64Array, quantile: number): number | null {
  let total = 0;
  for (let bucket = 0; bucket < counts.length; bucket++) total += counts[bucket]!;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(quantile * total));
  let seen = 0;
  for (let bucket = 0; bucket < counts.length; bucket++) {
    seen += counts[bucket]!;
    if (seen >= rank) return bucketUpperBound(bucket);
  }
  return bucketUpperBound(counts.length - 1);
}

/** The `quantile` (0..1) of the histogram as the upper bound of its bucket, `null` when empty. */
export function histogramQuantile(histogram: LatencyHistogram, quantile: number): number | null {
  const dense = denseHistogram();
  addSparseToDense(dense, histogram);
  return denseQuantile(dense, quantile);
}

/**
 * Compact text form stored in a rollup row: a JSON array `[firstBucket, count, …]` of the buckets
 * from the lowest to the highest in use (a minute of calls between 100 ms and 2 s is about 60
 * numbers). Arrays, unlike objects with numeric keys, parse into packed number arrays, and many
 * of them concatenated with commas are still one JSON array: the SQL stores fold a whole window
 * into one string per provider and model and parse it once.
 */
export function serializeHistogram(histogram: LatencyHistogram): string {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const bucket in histogram) {
    const index = Number(bucket);
    if ((histogram[index] ?? 0) === 0) continue;
    if (index < low) low = index;
    if (index > high) high = index;
  }
  if (low > high) return '[]';
  const out: number[] = [low];
  for (let index = low; index <= high; index++) out.push(histogram[index] ?? 0);
  return JSON.stringify(out);
}

/** Parses {@link serializeHistogram}'s output (or the older object form); anything else is empty. */
export function parseHistogram(text: string): LatencyHistogram {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  const histogram: LatencyHistogram = {};
  if (Array.isArray(parsed)) {
    const dense = denseHistogram();
    addStoredToDense(dense, parsed);
    dense.forEach((count, bucket) => {
      if (count !== 0) histogram[bucket] = count;
    });
    return histogram;
  }
  if (parsed && typeof parsed === 'object')
    for (const [bucket, count] of Object.entries(parsed))
      if (typeof count === 'number') histogram[Number(bucket)] = count;
  return histogram;
}
