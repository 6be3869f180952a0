import { denseQuantile } from './latency-histogram';
import type { MinuteRollup } from './minute-rollup';
import {
  addRollupToAggregate,
  emptyAggregate,
  mergeAggregate,
  type WindowAggregate,
} from './window-aggregate';

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

function figuresOf(aggregate: WindowAggregate): PerformanceFigures {
  const average = (sum: number, count: number) => (count === 0 ? null : sum / count);
  return {
    requests: aggregate.requests,
    successes: aggregate.successes,
    failures: aggregate.failures,
    successRate: aggregate.requests === 0 ? null : aggregate.successes / aggregate.requests,
    averageLatencyMs: average(aggregate.latencySumMs, aggregate.latencyCount),
    p50LatencyMs: denseQuantile(aggregate.latencyHistogram, 0.5),
    p95LatencyMs: denseQuantile(aggregate.latencyHistogram, 0.95),
    averageTimeToFirstTokenMs: average(aggregate.timeToFirstTokenSumMs, aggregate.timeToFirstTokenCount),
    p50TimeToFirstTokenMs: denseQuantile(aggregate.timeToFirstTokenHistogram, 0.5),
    p95TimeToFirstTokenMs: denseQuantile(aggregate.timeToFirstTokenHistogram, 0.95),
    inputTokens: aggregate.inputTokens,
    outputTokens: aggregate.outputTokens,
    costUsd: aggregate.costUsd,
    failuresByCode: { ...aggregate.failuresByCode },
  };
}

/** First epoch minute covered by `hours` hours ending at `now`. */
export function firstMinuteOf(hours: number, now: number): number {
  return Math.floor((now - hours * 3_600_000) / 60_000);
}

/**
 * Builds the report from one aggregate per provider and model over the window (the SQL stores sum
 * those in the database); provider, model and total groups are derived from the pairs, so every
 * store answers identically.
 */
export function performanceFromAggregates(
  pairs: Iterable<WindowAggregate>,
  window: { hours: number; now: number },
): PerformanceReport {
  const totals = emptyAggregate('', '');
  const providers = new Map<string, WindowAggregate>();
  const models = new Map<string, WindowAggregate>();
  const add = (groups: Map<string, WindowAggregate>, key: string, pair: WindowAggregate) => {
    let group = groups.get(key);
    if (!group) {
      group = emptyAggregate('', '');
      groups.set(key, group);
    }
    mergeAggregate(group, pair);
  };
  for (const pair of pairs) {
    mergeAggregate(totals, pair);
    add(providers, pair.provider, pair);
    add(models, pair.model, pair);
  }
  const figures = (groups: Map<string, WindowAggregate>) =>
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

/** Builds the report from the rollups of the window (the in-memory store's path). */
export function performanceFromRollups(
  rollups: Iterable<MinuteRollup>,
  window: { hours: number; now: number },
): PerformanceReport {
  // Fold rows into one aggregate per provider and model first (a window holds thousands of rows
  // but a handful of pairs).
  const pairs = new Map<string, WindowAggregate>();
  for (const rollup of rollups) {
    const key = `${rollup.provider}\u0000${rollup.model}`;
    let pair = pairs.get(key);
    if (!pair) {
      pair = emptyAggregate(rollup.provider, rollup.model);
      pairs.set(key, pair);
    }
    addRollupToAggregate(pair, rollup);
  }
  return performanceFromAggregates(pairs.values(), window);
}
