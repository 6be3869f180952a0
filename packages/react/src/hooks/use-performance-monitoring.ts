import type { PerformanceReport, ProviderStatus } from '../api-types';
import type { BallastClient } from '../client/ballast-client';
import { useBallastClient } from '../client/ballast-context';
import { useQueryStore } from './use-query-store';

/** What the dashboard shows: the performance report and each target's circuit and load. */
export interface PerformanceMetrics {
  report: PerformanceReport;
  providers: ProviderStatus[];
}

/** Options of {@link usePerformanceMonitoring}. */
export interface PerformanceMonitoringOptions {
  /** Window of the figures, in hours (default 24). */
  hours?: number;
  /** Steps of the charts over the window (default 48). */
  points?: number;
  /** Another client than the provider's. */
  client?: BallastClient;
}

/** What {@link usePerformanceMonitoring} returns. */
export interface PerformanceMonitoring {
  metrics: PerformanceMetrics | undefined;
  error: Error | undefined;
  isLoading: boolean;
  isRefreshing: boolean;
  updatedAt: number | undefined;
  refresh: () => Promise<PerformanceMetrics | undefined>;
}

/**
 * Live performance of the balancer (the Next.js seed's `usePerformanceMonitoring(30000)`): totals,
 * per-provider and per-model figures, latency and cost over time, and each target's circuit.
 * Polls every `intervalMs` while mounted and the tab is visible; aborts on unmount.
 *
 * @example
 * ```tsx
 * const { metrics, isLoading, error, refresh } = usePerformanceMonitoring(30_000, { hours: 24 });
 * if (metrics) console.log(metrics.report.totals.successRate);
 * ```
 */
export function usePerformanceMonitoring(
  intervalMs = 30_000,
  options: PerformanceMonitoringOptions = {},
): PerformanceMonitoring {
  const client = useBallastClient(options.client);
  const hours = options.hours ?? 24;
  const points = options.points ?? 48;
  const { snapshot, refresh } = useQueryStore(`${client.baseUrl}|${hours}|${points}|${intervalMs}`, () => ({
    intervalMs,
    load: async (signal): Promise<PerformanceMetrics> => {
      const [report, status] = await Promise.all([
        client.request<PerformanceReport>('/api/monitoring/performance', {
          query: { hours, points },
          signal,
        }),
        client.request<{ providers: ProviderStatus[] }>('/api/load-balancing/providers', { signal }),
      ]);
      return { report, providers: status.providers };
    },
  }));
  return {
    metrics: snapshot.data,
    error: snapshot.error,
    isLoading: snapshot.isLoading,
    isRefreshing: snapshot.isRefreshing,
    updatedAt: snapshot.updatedAt,
    refresh,
  };
}
