import type { Series } from '@ballast/core';

/**
 * The hour of day with the lowest average load in some history.
 *
 * @example
 * ```ts
 * const hour: QuietHour = { hourUtc: 3, meanLoad: 0.12, label: '03:00–04:00 UTC' };
 * ```
 */
export interface QuietHour {
  /** 0..23, UTC. */
  hourUtc: number;
  /** Mean of the (scaled) values in that hour. */
  meanLoad: number;
  /** `HH:00–HH:00 UTC`. */
  label: string;
}

/**
 * Finds the quietest hour of day (UTC) over several series, each scaled (e.g. `1 / cores` to compare
 * nodes of different sizes): per hour, the mean of every series' hourly mean. Needs samples in at
 * least `minHours` distinct hours (default 12); otherwise `undefined`, never a guess.
 *
 * @example
 * ```ts
 * const hours = [...Array(48).keys()];
 * findQuietHour([{ series: { timestamps: hours.map((h) => h * 3_600_000), values: hours.map((h) => (h % 24 === 4 ? 1 : 5)) }, scale: 0.1 }]);
 * // { hourUtc: 4, meanLoad: 0.1, label: '04:00–05:00 UTC' }
 * ```
 */
export function findQuietHour(
  inputs: ReadonlyArray<{ series: Series | undefined; scale?: number }>,
  options: { minHours?: number } = {},
): QuietHour | undefined {
  const perHour: number[][] = Array.from({ length: 24 }, () => []);
  for (const { series, scale = 1 } of inputs) {
    if (series === undefined) continue;
    const sums = new Float64Array(24);
    const counts = new Int32Array(24);
    const length = Math.min(series.timestamps.length, series.values.length);
    for (let index = 0; index < length; index++) {
      const value = series.values[index]!;
      const time = series.timestamps[index]!;
      if (!Number.isFinite(value) || !Number.isFinite(time)) continue;
      const hour = new Date(time).getUTCHours();
      sums[hour] = sums[hour]! + value * scale;
      counts[hour] = counts[hour]! + 1;
    }
    for (let hour = 0; hour < 24; hour++) {
      if (counts[hour]! > 0) perHour[hour]!.push(sums[hour]! / counts[hour]!);
    }
  }
  const covered = perHour.filter((values) => values.length > 0).length;
  if (covered < (options.minHours ?? 12)) return undefined;
  let best: QuietHour | undefined;
  for (let hour = 0; hour < 24; hour++) {
    const values = perHour[hour]!;
    if (values.length === 0) continue;
    const meanLoad = values.reduce((sum, value) => sum + value, 0) / values.length;
    if (best === undefined || meanLoad < best.meanLoad) {
      const pad = (value: number) => String(value).padStart(2, '0');
      best = { hourUtc: hour, meanLoad, label: `${pad(hour)}:00–${pad((hour + 1) % 24)}:00 UTC` };
    }
  }
  return best;
}
