import type { MetricsPeriod } from '@ballast/core';
import { z } from 'zod';

/**
 * The window a migration analysis looks at, in ProxBalance's `analysis_period` / `ai_analysis_period`
 * spelling.
 *
 * @example
 * ```ts
 * const period: AnalysisPeriod = analysisPeriodSchema.parse('24h');
 * ```
 */
export const analysisPeriodSchema = z.enum(['1h', '6h', '24h', '7d']);

/**
 * An analysis window: `1h`, `6h`, `24h` or `7d`.
 *
 * @example
 * ```ts
 * const period: AnalysisPeriod = '7d';
 * ```
 */
export type AnalysisPeriod = z.infer<typeof analysisPeriodSchema>;

const hours: Record<AnalysisPeriod, number> = { '1h': 1, '6h': 6, '24h': 24, '7d': 168 };
const rrd: Record<AnalysisPeriod, MetricsPeriod> = { '1h': 'hour', '6h': 'day', '24h': 'day', '7d': 'week' };

/**
 * Length of an analysis period in hours.
 *
 * @example
 * ```ts
 * analysisPeriodHours('7d'); // 168
 * ```
 */
export function analysisPeriodHours(period: AnalysisPeriod): number {
  return hours[period];
}

/**
 * The Proxmox RRD timeframe (`rrddata?timeframe=`) that covers an analysis period, for collectors.
 *
 * @example
 * ```ts
 * analysisPeriodToMetricsPeriod('6h'); // 'day'
 * ```
 */
export function analysisPeriodToMetricsPeriod(period: AnalysisPeriod): MetricsPeriod {
  return rrd[period];
}
