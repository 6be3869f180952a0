import type { ClusterSnapshot, Series } from '@ballast/core';
import { fitLine, mean, populationStandardDeviation } from './statistics';

const HOUR_MS = 3_600_000;

/**
 * What a series says about one metric: latest value, recent and period averages, extremes and a
 * least-squares slope. Values keep the unit of the input series (or the fraction it was scaled to).
 *
 * @example
 * ```ts
 * const trend: SeriesTrend | undefined = summarizeSeries({ timestamps: [0, 3_600_000], values: [1, 2] });
 * trend?.slopePerHour; // 1
 * ```
 */
export interface SeriesTrend {
  /** Number of samples used (missing samples are absent from the series, never zeros). */
  samples: number;
  /** Time between the first and last sample, hours. */
  spanHours: number;
  /** Epoch ms of the last sample. */
  lastTimestamp: number;
  /** The last sample. */
  current: number;
  /** Mean over the recent window (the last `recentWindowHours`). */
  recentMean: number;
  /** Mean over the whole series. */
  periodMean: number;
  min: number;
  max: number;
  /** Population σ ÷ mean (0 when the mean is 0). */
  coefficientOfVariation: number;
  /** max ÷ mean (1 when the mean is 0). */
  peakToMean: number;
  /** Least-squares slope per hour. */
  slopePerHour: number;
  /** Fitted value at time 0 of the fit (epoch ms); use {@link trendValueAt}. */
  intercept: number;
  /** Fit quality 0..1. */
  rSquared: number;
  /** The window `recentMean` covers, hours. */
  recentWindowHours: number;
}

/**
 * Options of {@link summarizeSeries}.
 *
 * @example
 * ```ts
 * const options: SummarizeSeriesOptions = { recentWindowHours: 6, scale: 1 / 16 };
 * ```
 */
export interface SummarizeSeriesOptions {
  /** Length of the "recent" window, hours. Default: min(24 h, a quarter of the series span). */
  recentWindowHours?: number;
  /** Multiply every value by this (e.g. `1 / cores` to get a fraction). Default 1. */
  scale?: number;
}

/**
 * Summarises a series (recent vs period average, extremes, slope and R²). Non-finite samples are
 * skipped; returns `undefined` for a missing or empty series: nothing is ever synthesised.
 *
 * @example
 * ```ts
 * const trend = summarizeSeries({ timestamps: [0, 3_600_000, 7_200_000], values: [2, 3, 4] }, { scale: 0.25 });
 * trend?.current; // 1
 * trend?.slopePerHour; // 0.25
 * ```
 */
export function summarizeSeries(
  series: Series | undefined,
  options: SummarizeSeriesOptions = {},
): SeriesTrend | undefined {
  if (series === undefined) return undefined;
  const scale = options.scale ?? 1;
  const times: number[] = [];
  const values: number[] = [];
  const length = Math.min(series.timestamps.length, series.values.length);
  for (let index = 0; index < length; index++) {
    const time = series.timestamps[index]!;
    const value = series.values[index]!;
    if (!Number.isFinite(time) || !Number.isFinite(value)) continue;
    times.push(time);
    values.push(value * scale);
  }
  if (values.length === 0) return undefined;
  const first = times[0]!;
  const last = times[times.length - 1]!;
  const spanHours = Math.max(0, (last - first) / HOUR_MS);
  const recentWindowHours = options.recentWindowHours ?? Math.min(24, spanHours / 4);
  const recentStart = last - recentWindowHours * HOUR_MS;
  const recent: number[] = [];
  for (let index = 0; index < values.length; index++) {
    if (times[index]! >= recentStart) recent.push(values[index]!);
  }
  const periodMean = mean(values);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const fit = fitLine(
    times.map((time) => (time - first) / HOUR_MS),
    values,
  );
  return {
    samples: values.length,
    spanHours,
    lastTimestamp: last,
    current: values[values.length - 1]!,
    recentMean: mean(recent),
    periodMean,
    min,
    max,
    coefficientOfVariation: periodMean > 0 ? populationStandardDeviation(values) / periodMean : 0,
    peakToMean: periodMean > 0 ? max / periodMean : 1,
    slopePerHour: fit.slope,
    intercept: fit.intercept - (fit.slope * first) / HOUR_MS,
    rSquared: fit.rSquared,
    recentWindowHours,
  };
}

/**
 * The fitted line of a {@link SeriesTrend} evaluated at an epoch-ms time.
 *
 * @example
 * ```ts
 * const trend = summarizeSeries({ timestamps: [0, 3_600_000], values: [1, 2] })!;
 * trendValueAt(trend, 7_200_000); // 3
 * ```
 */
export function trendValueAt(trend: SeriesTrend, time: number): number {
  return trend.intercept + (trend.slopePerHour * time) / HOUR_MS;
}

/**
 * Weights of {@link blendLoad}: ProxBalance's `0.5·now + 0.3·recent + 0.2·period`.
 *
 * @example
 * ```ts
 * const weights: BlendWeights = { current: 0.5, recent: 0.3, period: 0.2 };
 * ```
 */
export interface BlendWeights {
  current: number;
  recent: number;
  period: number;
}

/**
 * ProxBalance's default blend weights (`0.5 / 0.3 / 0.2`).
 *
 * @example
 * ```ts
 * defaultBlendWeights.current; // 0.5
 * ```
 */
export const defaultBlendWeights: Readonly<BlendWeights> = Object.freeze({
  current: 0.5,
  recent: 0.3,
  period: 0.2,
});

/**
 * Trend-aware load: `0.5·current + 0.3·recent mean + 0.2·period mean` (weights normalised); the
 * current value alone when there is no series.
 *
 * @example
 * ```ts
 * const trend = summarizeSeries({ timestamps: [0, 3_600_000], values: [2, 4] });
 * blendLoad(4, trend); // 0.5·4 + 0.3·4 + 0.2·3 = 3.8
 * blendLoad(4, undefined); // 4
 * ```
 */
export function blendLoad(
  current: number,
  trend: SeriesTrend | undefined,
  weights: BlendWeights = defaultBlendWeights,
): number {
  if (trend === undefined) return current;
  const total = weights.current + weights.recent + weights.period;
  if (total <= 0) return current;
  return (
    (weights.current * current + weights.recent * trend.recentMean + weights.period * trend.periodMean) /
    total
  );
}

/**
 * CPU and memory trends of one node, as fractions of its capacity (cores, total memory).
 *
 * @example
 * ```ts
 * const rising = (trend: NodeTrend) => (trend.memory?.slopePerHour ?? 0) > 0;
 * ```
 */
export interface NodeTrend {
  node: string;
  /** CPU in use ÷ cores. */
  cpu?: SeriesTrend;
  /** Memory in use ÷ total memory. */
  memory?: SeriesTrend;
  /** `recentMean − periodMean` of CPU, fraction points (positive: busier lately). */
  cpuRecentChange?: number;
  /** `recentMean − periodMean` of memory, fraction points. */
  memoryRecentChange?: number;
}

/**
 * Per-node CPU and memory trends (recent vs period averages, slope, R²) from the node series of a
 * snapshot. Nodes without a series get no trend for that metric.
 *
 * @example
 * ```ts
 * for (const trend of computeNodeTrends(snapshot)) {
 *   console.log(trend.node, trend.memory?.slopePerHour);
 * }
 * ```
 */
export function computeNodeTrends(
  snapshot: Pick<ClusterSnapshot, 'nodes'>,
  options: Pick<SummarizeSeriesOptions, 'recentWindowHours'> = {},
): NodeTrend[] {
  return [...snapshot.nodes]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((node) => {
      const trend: NodeTrend = { node: node.name };
      const window =
        options.recentWindowHours === undefined ? {} : { recentWindowHours: options.recentWindowHours };
      if (node.cpu.cores > 0) {
        const cpu = summarizeSeries(node.series?.cpuCores, { ...window, scale: 1 / node.cpu.cores });
        if (cpu !== undefined) {
          trend.cpu = cpu;
          trend.cpuRecentChange = cpu.recentMean - cpu.periodMean;
        }
      }
      if (node.memory.totalBytes > 0) {
        const memory = summarizeSeries(node.series?.memoryUsedBytes, {
          ...window,
          scale: 1 / node.memory.totalBytes,
        });
        if (memory !== undefined) {
          trend.memory = memory;
          trend.memoryRecentChange = memory.recentMean - memory.periodMean;
        }
      }
      return trend;
    });
}
