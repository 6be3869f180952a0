/**
 * Sparse log-scale histogram of milliseconds: bucket `i` holds values in (1.05^(i-1), 1.05^i], so a
 * quantile read from it is at most 5 % above the true value. Per-minute rollups keep one per
 * provider and model; histograms add up, so p95 over any window is read from the summed buckets
 * without keeping every call.
 */
export type LatencyHistogram = Record<number, number>;

const growth = 1.05;
const logGrowth = Math.log(growth);
const maxBucket = 400; // 1.05^400 ms ≈ 3e8 ms: anything longer is clamped

/** Bucket index of a value in milliseconds. */
export function latencyBucket(valueMs: number): number {
  if (valueMs <= 1) return 0;
  return Math.min(maxBucket, Math.ceil(Math.log(valueMs) / logGrowth - 1e-9));
}

/** Adds `count` observations of bucket `bucket` into `histogram` (mutates it). */
export function addToHistogram(histogram: LatencyHistogram, bucket: number, count = 1): void {
  histogram[bucket] = (histogram[bucket] ?? 0) + count;
}

/** Adds every bucket of `from` into `into` (mutates `into`). */
export function mergeHistogram(into: LatencyHistogram, from: LatencyHistogram): void {
  for (const [bucket, count] of Object.entries(from)) addToHistogram(into, Number(bucket), count);
}

/** The `quantile` (0..1) of the histogram as the upper bound of its bucket, `null` when empty. */
export function histogramQuantile(histogram: LatencyHistogram, quantile: number): number | null {
  const buckets = Object.entries(histogram)
    .map(([bucket, count]) => [Number(bucket), count] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(quantile * total));
  let seen = 0;
  for (const [bucket, count] of buckets) {
    seen += count;
    if (seen >= rank) return bucket === 0 ? 1 : growth ** bucket;
  }
  return growth ** (buckets.at(-1)?.[0] ?? 0);
}

/** Compact text form stored in a rollup row. */
export function serializeHistogram(histogram: LatencyHistogram): string {
  return JSON.stringify(histogram);
}

/** Parses {@link serializeHistogram}'s output; anything else is an empty histogram. */
export function parseHistogram(text: string): LatencyHistogram {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as LatencyHistogram) : {};
  } catch {
    return {};
  }
}
