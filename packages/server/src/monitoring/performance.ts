import type { Balancer, TargetMetrics } from '@ballast/balancer';

/** Figures of one provider or model over the window of `GET /api/monitoring/performance`. */
export interface PerformanceFigures {
  requests: number;
  successes: number;
  failures: number;
  /** 0..1, `null` without requests. */
  successRate: number | null;
  /** Median latency (the balancer keeps quantiles, not sums: see docs). */
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p95TimeToFirstTokenMs: number | null;
  p50TimeToFirstTokenMs: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  failuresByCode: Record<string, number>;
}

function figures(metrics: TargetMetrics): PerformanceFigures {
  return {
    requests: metrics.requests,
    successes: metrics.successes,
    failures: metrics.failures,
    successRate: metrics.successRate ?? null,
    p50LatencyMs: metrics.latencyMs?.p50 ?? null,
    p95LatencyMs: metrics.latencyMs?.p95 ?? null,
    p50TimeToFirstTokenMs: metrics.timeToFirstTokenMs?.p50 ?? null,
    p95TimeToFirstTokenMs: metrics.timeToFirstTokenMs?.p95 ?? null,
    inputTokens: metrics.inputTokens,
    outputTokens: metrics.outputTokens,
    costUsd: metrics.costUsd,
    failuresByCode: { ...metrics.failuresByCode },
  };
}

/**
 * Merges several targets' figures into one provider's: counters add up; quantiles are the
 * request-weighted mean of the targets' quantiles (exact when a provider has one target, an
 * approximation otherwise — the per-model figures are always exact).
 */
function mergeFigures(parts: PerformanceFigures[]): PerformanceFigures {
  const sum = (pick: (part: PerformanceFigures) => number) =>
    parts.reduce((total, part) => total + pick(part), 0);
  const weighted = (pick: (part: PerformanceFigures) => number | null) => {
    let weight = 0;
    let total = 0;
    for (const part of parts) {
      const value = pick(part);
      if (value === null || part.requests === 0) continue;
      weight += part.requests;
      total += value * part.requests;
    }
    return weight === 0 ? null : total / weight;
  };
  const requests = sum((part) => part.requests);
  const successes = sum((part) => part.successes);
  const failuresByCode: Record<string, number> = {};
  for (const part of parts)
    for (const [code, count] of Object.entries(part.failuresByCode))
      failuresByCode[code] = (failuresByCode[code] ?? 0) + count;
  return {
    requests,
    successes,
    failures: sum((part) => part.failures),
    successRate: requests === 0 ? null : successes / requests,
    p50LatencyMs: weighted((part) => part.p50LatencyMs),
    p95LatencyMs: weighted((part) => part.p95LatencyMs),
    p50TimeToFirstTokenMs: weighted((part) => part.p50TimeToFirstTokenMs),
    p95TimeToFirstTokenMs: weighted((part) => part.p95TimeToFirstTokenMs),
    inputTokens: sum((part) => part.inputTokens),
    outputTokens: sum((part) => part.outputTokens),
    costUsd: sum((part) => part.costUsd),
    failuresByCode,
  };
}

/**
 * The Next.js seed's `GET /api/monitoring/performance?hours=N`: per provider and per model,
 * requests, success rate, latency and TTFT quantiles, tokens and cost.
 *
 * @example
 * ```ts
 * performanceReport(balancer, 24).providers.openai?.successRate;
 * ```
 */
export function performanceReport(balancer: Balancer, hours: number) {
  const snapshot = balancer.snapshot({ sinceMs: hours * 3_600_000 });
  const providerOf = new Map(balancer.health().map((health) => [health.target, health.provider]));
  const byProvider = new Map<string, PerformanceFigures[]>();
  for (const [target, metrics] of Object.entries(snapshot.targets)) {
    const provider = providerOf.get(target) ?? target;
    const list = byProvider.get(provider) ?? [];
    list.push(figures(metrics));
    byProvider.set(provider, list);
  }
  return {
    hours,
    since: new Date(snapshot.since).toISOString(),
    until: new Date(snapshot.until).toISOString(),
    totals: figures(snapshot.calls),
    providers: Object.fromEntries(
      [...byProvider].map(([provider, parts]) => [provider, mergeFigures(parts)]),
    ),
    models: Object.fromEntries(
      Object.entries(snapshot.models).map(([model, metrics]) => [model, figures(metrics)]),
    ),
    targets: Object.fromEntries(
      Object.entries(snapshot.targets).map(([target, metrics]) => [target, figures(metrics)]),
    ),
  };
}
