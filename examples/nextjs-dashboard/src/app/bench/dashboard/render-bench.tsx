'use client';
import {
  PerformanceDashboardView,
  type PerformanceFigures,
  type PerformanceMetrics,
  type PerformancePoint,
} from '@ballast/react';
import { useEffect, useState } from 'react';
import { flushSync } from 'react-dom';

/** Deterministic pseudo-random numbers, so every run renders the same data. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function figures(next: () => number): PerformanceFigures {
  const requests = Math.round(500 + next() * 5_000);
  const failures = Math.round(requests * next() * 0.05);
  return {
    requests,
    successes: requests - failures,
    failures,
    successRate: (requests - failures) / requests,
    p50LatencyMs: 200 + next() * 800,
    p95LatencyMs: 900 + next() * 3_000,
    p50TimeToFirstTokenMs: 100 + next() * 200,
    p95TimeToFirstTokenMs: 300 + next() * 600,
    inputTokens: requests * 400,
    outputTokens: requests * 150,
    costUsd: requests * 0.0004,
    failuresByCode: failures > 0 ? { rate_limited: failures } : {},
  };
}

/** `providers` providers with one model each, 24 h cut into `points` steps. */
export function syntheticMetrics(providers: number, points: number): PerformanceMetrics {
  const next = random(42);
  const names = Array.from(
    { length: providers },
    (_, index) => `provider-${String(index + 1).padStart(2, '0')}`,
  );
  const stepMs = (24 * 3_600_000) / points;
  const since = Date.UTC(2026, 11, 1);
  const line = (): PerformancePoint[] =>
    Array.from({ length: points }, (_, step) => ({
      start: new Date(since + step * stepMs).toISOString(),
      requests: Math.round(next() * 100),
      failures: Math.round(next() * 3),
      p50LatencyMs: 200 + next() * 800,
      p95LatencyMs: 900 + next() * 3_000,
      costUsd: next() * 0.05,
    }));
  const byName = (make: (name: string) => unknown) =>
    Object.fromEntries(names.map((name) => [name, make(name)]));
  return {
    report: {
      hours: 24,
      since: new Date(since).toISOString(),
      until: new Date(since + 24 * 3_600_000).toISOString(),
      totals: figures(next),
      providers: byName(() => figures(next)) as Record<string, PerformanceFigures>,
      models: Object.fromEntries(names.map((name) => [`${name}:model`, figures(next)])),
      targets: Object.fromEntries(names.map((name) => [`${name}:model`, figures(next)])),
      series: { stepMs, calls: line(), providers: byName(line) as Record<string, PerformancePoint[]> },
    },
    providers: names.map((name, index) => ({
      target: `${name}:model`,
      provider: name,
      model: 'model',
      circuit: index % 7 === 3 ? 'open' : index % 5 === 1 ? 'half-open' : 'closed',
      inFlight: index % 4,
      externalLoad: 0,
      maxConcurrent: null,
      weight: 1,
      priority: 0,
      latencyMs: { p50: 300, p95: 1_200 },
    })),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

/**
 * Renders the dashboard body with 20 providers and 24 h of data `runs` times, measuring the React
 * render and commit (`flushSync`) and the time to the next frame (style, layout and paint).
 */
export function RenderBench({
  providers,
  points,
  runs,
}: {
  providers: number;
  points: number;
  runs: number;
}) {
  const [metrics, setMetrics] = useState<PerformanceMetrics | undefined>(undefined);
  const [result, setResult] = useState<string | undefined>(undefined);
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const data = syntheticMetrics(providers, points);
      const commit: number[] = [];
      const frame: number[] = [];
      for (let run = 0; run < runs && !cancelled; run++) {
        flushSync(() => setMetrics(undefined));
        await nextFrame();
        const started = performance.now();
        flushSync(() => setMetrics(data));
        commit.push(performance.now() - started);
        await nextFrame();
        frame.push(performance.now() - started);
      }
      if (!cancelled)
        setResult(
          JSON.stringify({
            providers,
            points,
            runs,
            commitMs: { median: median(commit), max: Math.max(...commit), all: commit },
            untilNextFrameMs: { median: median(frame), max: Math.max(...frame), all: frame },
          }),
        );
    })();
    return () => {
      cancelled = true;
    };
  }, [providers, points, runs]);
  return (
    <>
      <output data-testid="render-bench">{result ?? 'measuring…'}</output>
      {metrics ? <PerformanceDashboardView metrics={metrics} /> : null}
    </>
  );
}
