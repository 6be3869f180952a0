import { ConfigError, type Series } from '@ballast/core';
import type { RrdRow } from './wire-schemas';

/**
 * Builds one series from RRD rows: `time` (epoch seconds) → epoch ms, value from `read`. Rows where
 * `read` returns `undefined` (the key was omitted: unknown value) are skipped, never counted as 0.
 *
 * @example
 * ```ts
 * rrdSeries([{ time: 60, cpu: 0.5, maxcpu: 4 }, { time: 120 }], (row) =>
 *   row.cpu === undefined ? undefined : row.cpu * (row.maxcpu ?? 4));
 * // { timestamps: [60000], values: [2] }
 * ```
 */
export function rrdSeries(rows: readonly RrdRow[], read: (row: RrdRow) => number | undefined): Series {
  const timestamps: number[] = [];
  const values: number[] = [];
  const sorted = [...rows].sort((a, b) => a.time - b.time);
  for (const row of sorted) {
    // A row without a finite time cannot be placed (it became a `NaN` timestamp).
    if (!Number.isFinite(row.time)) continue;
    const value = read(row);
    if (value === undefined || !Number.isFinite(value)) continue;
    timestamps.push(row.time * 1000);
    values.push(value);
  }
  return { timestamps, values };
}

/**
 * Keeps the rows of the last `windowSeconds`, measured back from the newest row. PVE 8 returns 70
 * rows per timeframe (hour = 70 min, day = 35 h, week = 8.75 d), PVE 9 other counts: trimming makes
 * both cover exactly the requested period.
 *
 * @example
 * ```ts
 * trimRows([{ time: 0 }, { time: 3600 }, { time: 7200 }], 3600); // [{ time: 7200 }]
 * ```
 *
 * @throws ConfigError when `windowSeconds` is not a number > 0.
 */
export function trimRows(rows: readonly RrdRow[], windowSeconds: number): RrdRow[] {
  // `NaN` or a negative window kept no row at all, silently.
  if (typeof windowSeconds !== 'number' || Number.isNaN(windowSeconds) || windowSeconds <= 0)
    throw new ConfigError({
      message: `trimRows: windowSeconds must be a number > 0, got ${String(windowSeconds)}`,
      issues: [{ path: 'windowSeconds', message: 'must be a number > 0' }],
    });
  let newest = Number.NEGATIVE_INFINITY;
  for (const row of rows) newest = Math.max(newest, row.time);
  return rows.filter((row) => row.time > newest - windowSeconds);
}

/** Drops empty series so a snapshot never carries `{ timestamps: [], values: [] }`. */
export function nonEmpty(series: Series): Series | undefined {
  return series.values.length > 0 ? series : undefined;
}
