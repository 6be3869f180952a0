import { addSparseToDense, denseHistogram } from './latency-histogram';
import { addRollupCounters, type MinuteRollup } from './minute-rollup';

/**
 * The sums of one provider and model (or a group of them) over a window, histograms held dense
 * (one count per bucket) so that folding thousands of rollups into it is a tight loop.
 */
export interface WindowAggregate {
  provider: string;
  model: string;
  requests: number;
  successes: number;
  failures: number;
  latencyCount: number;
  latencySumMs: number;
  latencyHistogram: Float64Array;
  timeToFirstTokenCount: number;
  timeToFirstTokenSumMs: number;
  timeToFirstTokenHistogram: Float64Array;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  failuresByCode: Record<string, number>;
}

/** An aggregate with nothing in it. */
export function emptyAggregate(provider: string, model: string): WindowAggregate {
  return {
    provider,
    model,
    requests: 0,
    successes: 0,
    failures: 0,
    latencyCount: 0,
    latencySumMs: 0,
    latencyHistogram: denseHistogram(),
    timeToFirstTokenCount: 0,
    timeToFirstTokenSumMs: 0,
    timeToFirstTokenHistogram: denseHistogram(),
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    failuresByCode: {},
  };
}

/** Adds failure counts by code into `into` (mutates it). */
export function addFailureCodes(into: Record<string, number>, from: Record<string, number>): void {
  for (const [code, count] of Object.entries(from))
    if (typeof count === 'number') into[code] = (into[code] ?? 0) + count;
}

/** Adds a rollup into an aggregate (mutates `into`). */
export function addRollupToAggregate(into: WindowAggregate, rollup: MinuteRollup): void {
  addRollupCounters(into, rollup);
  addSparseToDense(into.latencyHistogram, rollup.latencyHistogram);
  addSparseToDense(into.timeToFirstTokenHistogram, rollup.timeToFirstTokenHistogram);
  addFailureCodes(into.failuresByCode, rollup.failuresByCode);
}

/** Adds one aggregate into another (mutates `into`). */
export function mergeAggregate(into: WindowAggregate, from: WindowAggregate): void {
  addRollupCounters(into, from);
  for (let bucket = 0; bucket < into.latencyHistogram.length; bucket++) {
    into.latencyHistogram[bucket]! += from.latencyHistogram[bucket]!;
    into.timeToFirstTokenHistogram[bucket]! += from.timeToFirstTokenHistogram[bucket]!;
  }
  addFailureCodes(into.failuresByCode, from.failuresByCode);
}
