import type { ClusterSnapshot, IssueSeverity, PredictedIssue } from '@ballast/core';
import { computeNodeTrends, type SeriesTrend, trendValueAt } from '../forecast/trend';

const HOUR_MS = 3_600_000;

/**
 * A node metric projected along its least-squares line.
 *
 * @example
 * ```ts
 * const late = (forecast: NodeLoadForecast) => forecast.crossesAt !== undefined && forecast.confidence > 0.5;
 * ```
 */
export interface NodeLoadForecast {
  node: string;
  metric: 'cpu' | 'memory';
  /** Latest observed utilisation, fraction of capacity. */
  current: number;
  /** Fitted utilisation at `now + horizonHours`, fraction (clamped to ≥ 0). */
  predicted: number;
  /** Fraction points per hour. */
  slopePerHour: number;
  rSquared: number;
  samples: number;
  spanHours: number;
  /** Threshold used, fraction. */
  threshold: number;
  /** When the fitted line reaches the threshold (epoch ms) within the horizon; `now` when already above. */
  crossesAt?: number;
  /** 0..1 from fit quality (R²), data length and how far the horizon extrapolates beyond the data. */
  confidence: number;
}

/**
 * Options of {@link forecastNodeLoad} and {@link predictIssues}.
 *
 * @example
 * ```ts
 * const options: NodeLoadForecastOptions = { horizonHours: 48, memThreshold: 90 };
 * ```
 */
export interface NodeLoadForecastOptions {
  /** How far ahead to look, hours. Default 24. */
  horizonHours?: number;
  /** CPU utilisation treated as an issue, percent. Default 80. */
  cpuThreshold?: number;
  /** Memory utilisation treated as an issue, percent. Default 85. */
  memThreshold?: number;
  /** Series shorter than this are not extrapolated. Default 12. */
  minSamples?: number;
  /** Reference time, epoch ms. Default `snapshot.collectedAt`. */
  now?: number;
}

/**
 * Confidence of a trend projection: `R² × min(1, samples / 48) × min(1, span / horizon)`, so a
 * noisy fit, a short series or a long extrapolation all lower it.
 *
 * @example
 * ```ts
 * forecastConfidence({ rSquared: 0.9, samples: 96, spanHours: 24 }, 24); // 0.9
 * ```
 */
export function forecastConfidence(
  trend: Pick<SeriesTrend, 'rSquared' | 'samples' | 'spanHours'>,
  horizonHours: number,
): number {
  const length = Math.min(1, trend.samples / 48);
  const reach = horizonHours > 0 ? Math.min(1, trend.spanHours / horizonHours) : 1;
  return Math.max(0, Math.min(1, trend.rSquared * length * reach));
}

/**
 * Projects each node's CPU and memory utilisation `horizonHours` ahead from its series (linear fit).
 * Nodes or metrics without at least `minSamples` samples are skipped: nothing is synthesised.
 *
 * @example
 * ```ts
 * for (const forecast of forecastNodeLoad(snapshot, { horizonHours: 12 })) {
 *   console.log(forecast.node, forecast.metric, forecast.predicted.toFixed(2), forecast.confidence.toFixed(2));
 * }
 * ```
 */
export function forecastNodeLoad(
  snapshot: Pick<ClusterSnapshot, 'nodes' | 'collectedAt'>,
  options: NodeLoadForecastOptions = {},
): NodeLoadForecast[] {
  const horizonHours = options.horizonHours ?? 24;
  const minSamples = options.minSamples ?? 12;
  const now = options.now ?? snapshot.collectedAt;
  const horizonEnd = now + horizonHours * HOUR_MS;
  const forecasts: NodeLoadForecast[] = [];
  for (const trend of computeNodeTrends(snapshot)) {
    const metrics: Array<['cpu' | 'memory', SeriesTrend | undefined, number]> = [
      ['cpu', trend.cpu, (options.cpuThreshold ?? 80) / 100],
      ['memory', trend.memory, (options.memThreshold ?? 85) / 100],
    ];
    for (const [metric, series, threshold] of metrics) {
      if (series === undefined || series.samples < minSamples) continue;
      const predicted = Math.max(0, trendValueAt(series, horizonEnd));
      const forecast: NodeLoadForecast = {
        node: trend.node,
        metric,
        current: series.current,
        predicted,
        slopePerHour: series.slopePerHour,
        rSquared: series.rSquared,
        samples: series.samples,
        spanHours: series.spanHours,
        threshold,
        confidence: forecastConfidence(series, horizonHours),
      };
      if (series.current >= threshold) {
        forecast.crossesAt = now;
      } else if (series.slopePerHour > 0 && predicted >= threshold) {
        const crossing =
          series.lastTimestamp + ((threshold - series.current) / series.slopePerHour) * HOUR_MS;
        forecast.crossesAt = Math.min(horizonEnd, Math.max(now, crossing));
      }
      forecasts.push(forecast);
    }
  }
  return forecasts;
}

function severityOf(
  value: number,
  threshold: number,
  hoursAway: number,
  horizonHours: number,
): IssueSeverity {
  if (value >= 0.95) return 'critical';
  if (hoursAway <= 0 || value >= threshold + 0.1) return 'high';
  if (hoursAway <= horizonHours / 4) return 'medium';
  return 'low';
}

/**
 * Predicted node issues (ProxBalance `predicted_issues`): a metric already above its threshold, or
 * whose fitted trend crosses it within the horizon. `predictedValue` is the utilisation fraction at
 * the horizon (or now when already above), `expectedAt` when the threshold is crossed, `confidence`
 * from {@link forecastConfidence} (1 for an observed breach), sorted by time then node.
 *
 * @example
 * ```ts
 * const issues = predictIssues(snapshot, { horizonHours: 24 });
 * // [{ node: 'pve2', metric: 'memory', severity: 'medium', predictedValue: 0.91, expectedAt: …, confidence: 0.72,
 * //    description: 'pve2 memory 78 % rising 0.6 pp/h: reaches 85 % in about 11 h (91 % in 24 h)', source: 'rule' }]
 * ```
 */
export function predictIssues(
  snapshot: Pick<ClusterSnapshot, 'nodes' | 'collectedAt'>,
  options: NodeLoadForecastOptions = {},
): PredictedIssue[] {
  const horizonHours = options.horizonHours ?? 24;
  const now = options.now ?? snapshot.collectedAt;
  const issues: PredictedIssue[] = [];
  for (const forecast of forecastNodeLoad(snapshot, options)) {
    if (forecast.crossesAt === undefined) continue;
    const pct = (value: number) => `${Math.round(value * 100)} %`;
    const hoursAway = (forecast.crossesAt - now) / HOUR_MS;
    const already = forecast.current >= forecast.threshold;
    const value = already ? Math.max(forecast.current, forecast.predicted) : forecast.predicted;
    const description = already
      ? `${forecast.node} ${forecast.metric} already at ${pct(forecast.current)} (threshold ${pct(forecast.threshold)})` +
        (forecast.slopePerHour > 0 ? `, still rising ${(forecast.slopePerHour * 100).toFixed(1)} pp/h` : '')
      : `${forecast.node} ${forecast.metric} ${pct(forecast.current)} rising ${(forecast.slopePerHour * 100).toFixed(1)} pp/h: ` +
        `reaches ${pct(forecast.threshold)} in about ${Math.max(0, Math.round(hoursAway))} h ` +
        `(${pct(forecast.predicted)} in ${horizonHours} h, R² ${forecast.rSquared.toFixed(2)})`;
    issues.push({
      node: forecast.node,
      metric: forecast.metric,
      severity: severityOf(value, forecast.threshold, hoursAway, horizonHours),
      predictedValue: already ? forecast.current : forecast.predicted,
      expectedAt: forecast.crossesAt,
      confidence: already ? 1 : forecast.confidence,
      description,
      source: 'rule',
    });
  }
  return issues.sort(
    (a, b) => (a.expectedAt ?? 0) - (b.expectedAt ?? 0) || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0),
  );
}
