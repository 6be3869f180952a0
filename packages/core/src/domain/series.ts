import { z } from 'zod';

/**
 * A time series: parallel arrays of sample times (epoch milliseconds) and values.
 *
 * The unit of `values` is given by the field that holds the series (`cpuCores`,
 * `memoryUsedBytes`, `netInBytesPerSecond`, …). Missing samples are left out, never stored as 0.
 *
 * @example
 * ```ts
 * const cpu: Series = seriesSchema.parse({ timestamps: [1_700_000_000_000, 1_700_000_060_000], values: [1.5, 2.25] });
 * ```
 */
export const seriesSchema = z
  .object({
    /** Sample times, epoch milliseconds, ascending. */
    timestamps: z.array(z.number().finite()),
    /** Sample values, in the unit named by the field holding the series. */
    values: z.array(z.number().finite()),
  })
  .refine((series) => series.timestamps.length === series.values.length, {
    message: 'timestamps and values must have the same length',
  });

/**
 * A time series of epoch-millisecond timestamps and values.
 *
 * @example
 * ```ts
 * const empty: Series = { timestamps: [], values: [] };
 * ```
 */
export type Series = z.infer<typeof seriesSchema>;

/**
 * One sample of a series, the point form of {@link Series}.
 *
 * @example
 * ```ts
 * const point: SeriesPoint = seriesPointSchema.parse({ timestamp: 1_700_000_000_000, value: 0.5 });
 * ```
 */
export const seriesPointSchema = z.object({
  /** Epoch milliseconds. */
  timestamp: z.number().finite(),
  value: z.number().finite(),
});

/**
 * One `{ timestamp, value }` sample.
 *
 * @example
 * ```ts
 * const point: SeriesPoint = { timestamp: Date.now(), value: 2 };
 * ```
 */
export type SeriesPoint = z.infer<typeof seriesPointSchema>;

/**
 * Converts points to the parallel-array {@link Series} form, sorted by time. Non-finite values are
 * skipped (a missing sample is omitted, never counted as 0).
 *
 * @example
 * ```ts
 * seriesFromPoints([{ timestamp: 2, value: 5 }, { timestamp: 1, value: 4 }]);
 * // { timestamps: [1, 2], values: [4, 5] }
 * ```
 */
export function seriesFromPoints(points: readonly SeriesPoint[]): Series {
  const sorted = points
    .filter((point) => Number.isFinite(point.timestamp) && Number.isFinite(point.value))
    .sort((a, b) => a.timestamp - b.timestamp);
  return { timestamps: sorted.map((point) => point.timestamp), values: sorted.map((point) => point.value) };
}

/**
 * Converts a {@link Series} to points.
 *
 * @example
 * ```ts
 * seriesToPoints({ timestamps: [1], values: [4] }); // [{ timestamp: 1, value: 4 }]
 * ```
 */
export function seriesToPoints(series: Series): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  const length = Math.min(series.timestamps.length, series.values.length);
  for (let index = 0; index < length; index++) {
    points.push({ timestamp: series.timestamps[index]!, value: series.values[index]! });
  }
  return points;
}
