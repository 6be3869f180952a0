import { histogramQuantile } from './latency-histogram';
import { emptyRollup, type MinuteRollup, mergeRollup } from './minute-rollup';

/**
 * Figures of one provider, model or the whole gateway over a window, as
 * `GET /api/monitoring/performance?hours=N` returns them. Latency and TTFT cover successful calls;
 * quantiles come from log-scale histograms (at most 5 % above the true value), averages are exact.
 */
export interface PerformanceFigures {
  requests: number;
  successes: number;
  failures: number;
  /** 0..1, `null` without requests. */
  successRate: number | null;
  averageLatencyMs: number | null;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  averageTimeToFirstTokenMs: number | null;
  p50TimeToFirstTokenMs: number | null;
  p95TimeToFirstTokenMs: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  failuresByCode: Record<string, number>;
}

/** The answer of `MetricsStore.performance({ hours })`. */
export interface PerformanceReport {
  hours: number;
  /** ISO time of the first minute covered. */
  since: string;
  /** ISO time of the query. */
  until: string;
  totals: PerformanceFigures;
  providers: Record<string, PerformanceFigures>;
  models: Record<string, PerformanceFigures>;
}

function figuresOf(rollup: MinuteRollup): PerformanceFigures {
  const average = (sum: number, count: number) => (count === 0 ? null : sum / count);
  return {
    requests: rollup.requests,
    successes: rollup.successes,
    failures: rollup.failures,
    successRate: rollup.requests === 0 ? null : rollup.successes / rollup.requests,
    averageLatencyMs: average(rollup.latencySumMs, rollup.latencyCount),
    p50LatencyMs: histogramQuantile(rollup.latencyHistogram, 0.5),
    p95LatencyMs: histogramQuantile(rollup.latencyHistogram, 0.95),
    averageTimeToFirstTokenMs: average(rollup.timeToFirstTokenSumMs, rollup.timeToFirstTokenCount),
    p50TimeToFirstTokenMs: histogramQuantile(rollup.timeToFirstTokenHistogram, 0.5),
    p95TimeToFirstTokenMs: histogramQuantile(rollup.timeToFirstTokenHistogram, 0.95),
    inputTokens: rollup.inputTokens,
    outputTokens: rollup.outputTokens,
    costUsd: rollup.costUsd,
    failuresByCode: { ...rollup.failuresByCode },
  };
}

/** First epoch minute covered by `hours` hours ending at `now`. */
export function firstMinuteOf(hours: number, now: number): number {
  return Math.floor((now - hours * 3_600_000) / 60_000);
}

/**
 * Builds the report from the rollups of the window (every store reads its rollups and calls this,
 * so the three implementations answer identically).
 */
export function performanceFromRollups(
  rollups: Iterable<MinuteRollup>,
  window: { hours: number; now: number },
): PerformanceReport {
  const totals = emptyRollup(0, '', '');
  const providers = new Map<string, MinuteRollup>();
  const models = new Map<string, MinuteRollup>();
  const add = (groups: Map<string, MinuteRollup>, key: string, rollup: MinuteRollup) => {
    let group = groups.get(key);
    if (!group) {
      group = emptyRollup(0, '', '');
      groups.set(key, group);
    }
    mergeRollup(group, rollup);
  };
  // Fold rows into one aggregate per provider and model first (a window holds thousands of rows
  // but a handful of pairs), then derive the provider, model and total groups from the pairs.
  const pairs = new Map<string, MinuteRollup>();
  for (const rollup of rollups) {
    const key = `${rollup.provider}\u0000${rollup.model}`;
    let pair = pairs.get(key);
    if (!pair) {
      pair = emptyRollup(0, rollup.provider, rollup.model);
      pairs.set(key, pair);
    }
    mergeRollup(pair, rollup);
  }
  for (const pair of pairs.values()) {
    mergeRollup(totals, pair);
    add(providers, pair.provider, pair);
    add(models, pair.model, pair);
  }
  const figures = (groups: Map<string, MinuteRollup>) =>
    Object.fromEntries(
      [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([key, group]) => [key, figuresOf(group)]),
    );
  return {
    hours: window.hours,
    since: new Date(firstMinuteOf(window.hours, window.now) * 60_000).toISOString(),
    until: new Date(window.now).toISOString(),
    totals: figuresOf(totals),
    providers: figures(providers),
    models: figures(models),
  };
}
