import type { Balancer, TargetMetrics, TimelinePoint } from '@ballast/balancer';

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

/** One step of the `series` of `GET /api/monitoring/performance?points=N` (JSON: no `undefined`). */
export interface PerformancePoint {
  /** Start of the step, ISO 8601. */
  start: string;
  requests: number;
  failures: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  costUsd: number;
}

function toPoint(point: TimelinePoint): PerformancePoint {
  return {
    start: new Date(point.start).toISOString(),
    requests: point.requests,
    failures: point.failures,
    p50LatencyMs: point.p50LatencyMs ?? null,
    p95LatencyMs: point.p95LatencyMs ?? null,
    costUsd: point.costUsd,
  };
}

/** Several targets' lines as one provider's: counters add up, quantiles are request-weighted means. */
function mergeLines(lines: TimelinePoint[][]): PerformancePoint[] {
  const first = lines[0] ?? [];
  return first.map((_, step) => {
    const parts = lines.map((line) => line[step]).filter((point) => point !== undefined);
    const weighted = (pick: (point: TimelinePoint) => number | undefined) => {
      let weight = 0;
      let total = 0;
      for (const part of parts) {
        const value = pick(part);
        if (value === undefined || part.requests === 0) continue;
        weight += part.requests;
        total += value * part.requests;
      }
      return weight === 0 ? undefined : total / weight;
    };
    return toPoint({
      start: parts[0]?.start ?? 0,
      requests: parts.reduce((sum, part) => sum + part.requests, 0),
      failures: parts.reduce((sum, part) => sum + part.failures, 0),
      costUsd: parts.reduce((sum, part) => sum + part.costUsd, 0),
      p50LatencyMs: weighted((part) => part.p50LatencyMs),
      p95LatencyMs: weighted((part) => part.p95LatencyMs),
    });
  });
}

/**
 * Latency, requests and cost over the last `hours`, in at most `points` steps: the calls of the
 * balancer and each provider's attempts (its targets merged).
 *
 * @example
 * ```ts
 * performanceSeries(balancer, 24, 48).calls.at(-1)?.p95LatencyMs;
 * ```
 */
export function performanceSeries(balancer: Balancer, hours: number, points: number) {
  const timeline = balancer.timeline({ sinceMs: hours * 3_600_000, points });
  const providerOf = new Map(balancer.health().map((health) => [health.target, health.provider]));
  const byProvider = new Map<string, TimelinePoint[][]>();
  for (const [target, line] of Object.entries(timeline.targets)) {
    const provider = providerOf.get(target) ?? target;
    byProvider.set(provider, [...(byProvider.get(provider) ?? []), line]);
  }
  return {
    stepMs: timeline.stepMs,
    calls: timeline.calls.map(toPoint),
    providers: Object.fromEntries([...byProvider].map(([provider, lines]) => [provider, mergeLines(lines)])),
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
