/** A Proxmox VE major version whose wire formats the simulator reproduces. */
export type PveVersion = 8 | 9;

/** An RRD timeframe (`rrddata?timeframe=`). `decade` exists on PVE 9 only (PVE 8 answers `year`). */
export type RrdTimeframe = 'hour' | 'day' | 'week' | 'month' | 'year' | 'decade';

/** RRD consolidation function (`cf=`). */
export type RrdConsolidation = 'AVERAGE' | 'MAX';

/** One RRD row as on the wire: `time` plus whatever values are known (unknown ones are omitted). */
export type RrdRow = { time: number } & Record<string, number>;

/** Step (seconds) and row count of one timeframe. */
export interface RrdResolution {
  stepSeconds: number;
  rows: number;
}

const pve9: Record<RrdTimeframe, RrdResolution> = {
  hour: { stepSeconds: 60, rows: 60 },
  day: { stepSeconds: 60, rows: 1440 },
  week: { stepSeconds: 1800, rows: 336 },
  month: { stepSeconds: 1800, rows: 1440 },
  year: { stepSeconds: 21600, rows: 1440 },
  decade: { stepSeconds: 604800, rows: 570 },
};

const pve8: Record<RrdTimeframe, RrdResolution> = {
  hour: { stepSeconds: 60, rows: 70 },
  day: { stepSeconds: 1800, rows: 70 },
  week: { stepSeconds: 10800, rows: 70 },
  month: { stepSeconds: 43200, rows: 70 },
  year: { stepSeconds: 604800, rows: 70 },
  decade: { stepSeconds: 604800, rows: 70 },
};

/**
 * The resolution PVE serves for a timeframe: PVE 9 (`pve-node-9.0` files) or PVE ≤ 8 (`pve2-*`,
 * 70 rows each).
 *
 * @example
 * ```ts
 * rrdResolution(8, 'day'); // { stepSeconds: 1800, rows: 70 }
 * rrdResolution(9, 'day'); // { stepSeconds: 60, rows: 1440 }
 * ```
 */
export function rrdResolution(version: PveVersion, timeframe: RrdTimeframe): RrdResolution {
  return (version === 9 ? pve9 : pve8)[timeframe];
}

/**
 * The row times (epoch seconds, ascending) PVE would return at `nowSeconds`: aligned to the step,
 * the newest bucket being the one that contains `nowSeconds`.
 *
 * @example
 * ```ts
 * rrdBucketTimes(9, 'hour', 1_700_000_030).length; // 60
 * ```
 */
export function rrdBucketTimes(version: PveVersion, timeframe: RrdTimeframe, nowSeconds: number): number[] {
  const { stepSeconds, rows } = rrdResolution(version, timeframe);
  const last = Math.floor(nowSeconds / stepSeconds) * stepSeconds;
  const times: number[] = [];
  for (let index = rows - 1; index >= 0; index--) times.push(last - index * stepSeconds);
  return times;
}
