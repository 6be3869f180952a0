import type { ClusterSnapshot, GuestSnapshot, Series } from '@ballast/core';
import { type SeriesTrend, summarizeSeries } from '../forecast/trend';

/**
 * A workload class. A guest can have several (`['cpu-bound', 'bursty']`); `insufficient_data`
 * stands alone.
 *
 * @example
 * ```ts
 * const kind: WorkloadClass = 'bursty';
 * ```
 */
export type WorkloadClass =
  | 'cpu-bound'
  | 'memory-bound'
  | 'io-heavy'
  | 'bursty'
  | 'steady'
  | 'growing'
  | 'insufficient_data';

/**
 * The numbers a {@link WorkloadProfile} was derived from. Fields are absent when their series is.
 *
 * @example
 * ```ts
 * const hot = (metrics: WorkloadMetrics) => (metrics.cpuUtilization ?? 0) > 0.8;
 * ```
 */
export interface WorkloadMetrics {
  /** Samples in the CPU series (or the memory series when there is no CPU series). */
  samples: number;
  spanHours: number;
  /** Mean CPU ÷ the guest's vCPUs. */
  cpuUtilization?: number;
  cpuMeanCores?: number;
  cpuPeakCores?: number;
  /** Peak ÷ mean of CPU. */
  cpuPeakToMean?: number;
  /** σ ÷ mean of CPU. */
  cpuCoefficientOfVariation?: number;
  /** CPU slope, fraction of the vCPUs per day. */
  cpuSlopePerDay?: number;
  cpuRSquared?: number;
  /** Mean memory in use ÷ configured memory. */
  memoryUtilization?: number;
  /** Memory slope, fraction of configured memory per day. */
  memorySlopePerDay?: number;
  memoryRSquared?: number;
  /** Mean disk read + write, bytes per second. */
  diskBytesPerSecond?: number;
}

/**
 * The classification of one guest with the numbers and reasons behind it.
 *
 * @example
 * ```ts
 * const profile: WorkloadProfile = profileWorkload(guest);
 * console.log(profile.primary, profile.reasons.join('; '));
 * ```
 */
export interface WorkloadProfile {
  vmid: number;
  /** Every class that applies, in a fixed order. */
  classes: WorkloadClass[];
  /** The most significant class (order: insufficient_data, growing, bursty, io-heavy, cpu-bound, memory-bound, steady). */
  primary: WorkloadClass;
  metrics: WorkloadMetrics;
  /** Plain-language reasons, one per class. */
  reasons: string[];
}

/**
 * Thresholds of {@link profileWorkload}.
 *
 * @example
 * ```ts
 * const options: WorkloadProfileOptions = { minSamples: 24, burstyPeakToMean: 3 };
 * ```
 */
export interface WorkloadProfileOptions {
  /** Fewer samples than this → `insufficient_data`. Default 12. */
  minSamples?: number;
  /** Peak ÷ mean CPU at or above which a guest is bursty. Default 2. */
  burstyPeakToMean?: number;
  /** CPU σ ÷ mean at or above which a guest is bursty. Default 0.5. */
  burstyCoefficientOfVariation?: number;
  /** Minimum R² of the slope for `growing`. Default 0.6. */
  growingRSquared?: number;
  /** Minimum growth per day (fraction of the guest's vCPUs or memory) for `growing`. Default 0.02. */
  growingSlopePerDay?: number;
  /** Mean CPU ÷ vCPUs at or above which a guest is cpu-bound. Default 0.6. */
  cpuBoundUtilization?: number;
  /** Mean memory ÷ configured memory at or above which a guest is memory-bound. Default 0.8. */
  memoryBoundUtilization?: number;
  /** Mean disk read + write at or above which a guest is io-heavy, bytes/s. Default 20 MiB/s. */
  ioHeavyBytesPerSecond?: number;
}

const CLASS_ORDER: readonly WorkloadClass[] = [
  'insufficient_data',
  'growing',
  'bursty',
  'io-heavy',
  'cpu-bound',
  'memory-bound',
  'steady',
];

function sumSeries(a: Series | undefined, b: Series | undefined): SeriesTrend | undefined {
  if (a === undefined && b === undefined) return undefined;
  if (a === undefined || b === undefined) return summarizeSeries(a ?? b);
  // Add samples that share a timestamp; samples present in only one series are kept as they are.
  const byTime = new Map<number, number>();
  for (const series of [a, b]) {
    const length = Math.min(series.timestamps.length, series.values.length);
    for (let index = 0; index < length; index++) {
      const time = series.timestamps[index]!;
      byTime.set(time, (byTime.get(time) ?? 0) + series.values[index]!);
    }
  }
  const timestamps = [...byTime.keys()].sort((x, y) => x - y);
  return summarizeSeries({ timestamps, values: timestamps.map((time) => byTime.get(time)!) });
}

const pct = (value: number) => `${Math.round(value * 100)} %`;

/**
 * Classifies a guest from its usage series: `cpu-bound`, `memory-bound`, `io-heavy`, `bursty`
 * (high peak/mean or CV), `steady` (neither bursty nor growing), `growing` (positive slope with a good fit), each with the
 * numbers that led to it. A guest whose CPU (or, lacking it, memory) series has fewer than
 * `minSamples` samples is `insufficient_data`: no value is ever synthesised.
 *
 * @example
 * ```ts
 * const profile = profileWorkload({
 *   vmid: 101, cpu: { cores: 2, usageCores: 0.2 }, memory: { maxBytes: 2 ** 32, usedBytes: 2 ** 31 },
 *   series: { cpuCores: { timestamps: [...Array(24).keys()].map((h) => h * 3_600_000), values: [...Array(24)].map((_, h) => (h % 6 === 0 ? 1.8 : 0.1)) } },
 * });
 * profile.classes; // ['bursty']
 * ```
 */
export function profileWorkload(
  guest: Pick<GuestSnapshot, 'vmid' | 'cpu' | 'memory' | 'series'>,
  options: WorkloadProfileOptions = {},
): WorkloadProfile {
  const minSamples = options.minSamples ?? 12;
  const cpu = summarizeSeries(guest.series?.cpuCores);
  const memory = summarizeSeries(guest.series?.memoryUsedBytes);
  const base = cpu ?? memory;
  const metrics: WorkloadMetrics = { samples: base?.samples ?? 0, spanHours: base?.spanHours ?? 0 };
  if (base === undefined || base.samples < minSamples) {
    return {
      vmid: guest.vmid,
      classes: ['insufficient_data'],
      primary: 'insufficient_data',
      metrics,
      reasons: [`only ${metrics.samples} samples (need ${minSamples})`],
    };
  }
  const found = new Map<WorkloadClass, string>();
  const growingR2 = options.growingRSquared ?? 0.6;
  const growingSlope = options.growingSlopePerDay ?? 0.02;

  if (cpu !== undefined) {
    const cores = guest.cpu.cores > 0 ? guest.cpu.cores : 1;
    metrics.cpuMeanCores = cpu.periodMean;
    metrics.cpuPeakCores = cpu.max;
    metrics.cpuUtilization = cpu.periodMean / cores;
    metrics.cpuPeakToMean = cpu.peakToMean;
    metrics.cpuCoefficientOfVariation = cpu.coefficientOfVariation;
    metrics.cpuSlopePerDay = (cpu.slopePerHour * 24) / cores;
    metrics.cpuRSquared = cpu.rSquared;
    const peakLimit = options.burstyPeakToMean ?? 2;
    const cvLimit = options.burstyCoefficientOfVariation ?? 0.5;
    if (cpu.periodMean > 0 && (cpu.peakToMean >= peakLimit || cpu.coefficientOfVariation >= cvLimit)) {
      found.set(
        'bursty',
        `CPU peak ${cpu.max.toFixed(2)} cores is ${cpu.peakToMean.toFixed(1)}× the mean ${cpu.periodMean.toFixed(2)} (CV ${cpu.coefficientOfVariation.toFixed(2)})`,
      );
    }
    if (metrics.cpuSlopePerDay >= growingSlope && cpu.rSquared >= growingR2) {
      found.set(
        'growing',
        `CPU rising ${pct(metrics.cpuSlopePerDay)} of its vCPUs per day (R² ${cpu.rSquared.toFixed(2)})`,
      );
    }
    if (metrics.cpuUtilization >= (options.cpuBoundUtilization ?? 0.6)) {
      found.set('cpu-bound', `mean CPU ${pct(metrics.cpuUtilization)} of ${guest.cpu.cores} vCPUs`);
    }
  }
  if (memory !== undefined && guest.memory.maxBytes > 0) {
    metrics.memoryUtilization = memory.periodMean / guest.memory.maxBytes;
    metrics.memorySlopePerDay = (memory.slopePerHour * 24) / guest.memory.maxBytes;
    metrics.memoryRSquared = memory.rSquared;
    if (metrics.memorySlopePerDay >= growingSlope && memory.rSquared >= growingR2 && !found.has('growing')) {
      found.set(
        'growing',
        `memory rising ${pct(metrics.memorySlopePerDay)} of its maximum per day (R² ${memory.rSquared.toFixed(2)})`,
      );
    }
    if (metrics.memoryUtilization >= (options.memoryBoundUtilization ?? 0.8)) {
      found.set('memory-bound', `mean memory ${pct(metrics.memoryUtilization)} of its maximum`);
    }
  }
  const disk = sumSeries(guest.series?.diskReadBytesPerSecond, guest.series?.diskWriteBytesPerSecond);
  if (disk !== undefined) {
    metrics.diskBytesPerSecond = disk.periodMean;
    const limit = options.ioHeavyBytesPerSecond ?? 20 * 2 ** 20;
    if (disk.periodMean >= limit) {
      found.set('io-heavy', `mean disk I/O ${(disk.periodMean / 2 ** 20).toFixed(1)} MiB/s`);
    }
  }
  if (!found.has('bursty') && !found.has('growing')) {
    const trend = cpu ?? memory!;
    found.set(
      'steady',
      `${cpu !== undefined ? 'CPU' : 'memory'} peak ${trend.peakToMean.toFixed(1)}× the mean, CV ${trend.coefficientOfVariation.toFixed(2)}, no significant growth`,
    );
  }
  const classes = CLASS_ORDER.filter((kind) => found.has(kind));
  return {
    vmid: guest.vmid,
    classes,
    primary: classes[0] ?? 'steady',
    metrics,
    reasons: classes.map((kind) => `${kind}: ${found.get(kind)}`),
  };
}

/**
 * Profiles every guest of a snapshot, keyed by vmid.
 *
 * @example
 * ```ts
 * const bursty = [...profileWorkloads(snapshot).values()].filter((profile) => profile.classes.includes('bursty'));
 * ```
 */
export function profileWorkloads(
  snapshot: Pick<ClusterSnapshot, 'guests'>,
  options: WorkloadProfileOptions = {},
): Map<number, WorkloadProfile> {
  const profiles = new Map<number, WorkloadProfile>();
  for (const guest of [...snapshot.guests].sort((a, b) => a.vmid - b.vmid)) {
    profiles.set(guest.vmid, profileWorkload(guest, options));
  }
  return profiles;
}
