import type { CallRecord } from './call-record';
import { addToHistogram, type LatencyHistogram, latencyBucket, mergeHistogram } from './latency-histogram';

/** Everything known about one provider and model during one minute; rollups add up exactly. */
export interface MinuteRollup {
  /** Epoch minute (`Math.floor(at / 60_000)`). */
  minute: number;
  provider: string;
  model: string;
  requests: number;
  successes: number;
  failures: number;
  latencyCount: number;
  latencySumMs: number;
  latencyHistogram: LatencyHistogram;
  timeToFirstTokenCount: number;
  timeToFirstTokenSumMs: number;
  timeToFirstTokenHistogram: LatencyHistogram;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  failuresByCode: Record<string, number>;
}

/** Key of a rollup: minute, provider and model. */
export function rollupKey(rollup: Pick<MinuteRollup, 'minute' | 'provider' | 'model'>): string {
  return `${rollup.minute}\u0000${rollup.provider}\u0000${rollup.model}`;
}

/** An empty rollup for a minute, provider and model. */
export function emptyRollup(minute: number, provider: string, model: string): MinuteRollup {
  return {
    minute,
    provider,
    model,
    requests: 0,
    successes: 0,
    failures: 0,
    latencyCount: 0,
    latencySumMs: 0,
    latencyHistogram: {},
    timeToFirstTokenCount: 0,
    timeToFirstTokenSumMs: 0,
    timeToFirstTokenHistogram: {},
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    failuresByCode: {},
  };
}

/** Adds one call into a rollup (mutates it). Latency counts successful calls only, as the balancer does. */
export function addCallToRollup(rollup: MinuteRollup, call: CallRecord): void {
  rollup.requests += 1;
  if (call.outcome === 'success') {
    rollup.successes += 1;
    if (call.latencyMs !== undefined) {
      rollup.latencyCount += 1;
      rollup.latencySumMs += call.latencyMs;
      addToHistogram(rollup.latencyHistogram, latencyBucket(call.latencyMs));
    }
    if (call.timeToFirstTokenMs !== undefined) {
      rollup.timeToFirstTokenCount += 1;
      rollup.timeToFirstTokenSumMs += call.timeToFirstTokenMs;
      addToHistogram(rollup.timeToFirstTokenHistogram, latencyBucket(call.timeToFirstTokenMs));
    }
  } else {
    rollup.failures += 1;
    const code = call.errorCode ?? 'unknown';
    rollup.failuresByCode[code] = (rollup.failuresByCode[code] ?? 0) + 1;
  }
  rollup.inputTokens += call.inputTokens;
  rollup.outputTokens += call.outputTokens;
  rollup.costUsd += call.costUsd;
}

/** Adds `from` into `into` (mutates `into`); both must share minute, provider and model. */
export function mergeRollup(into: MinuteRollup, from: MinuteRollup): void {
  addRollupCounters(into, from);
  mergeHistogram(into.latencyHistogram, from.latencyHistogram);
  mergeHistogram(into.timeToFirstTokenHistogram, from.timeToFirstTokenHistogram);
  for (const [code, count] of Object.entries(from.failuresByCode))
    into.failuresByCode[code] = (into.failuresByCode[code] ?? 0) + count;
}

/** The plain counters of a rollup, summed the same way wherever rollups or aggregates merge. */
const rollupCounters = [
  'requests',
  'successes',
  'failures',
  'latencyCount',
  'latencySumMs',
  'timeToFirstTokenCount',
  'timeToFirstTokenSumMs',
  'inputTokens',
  'outputTokens',
  'costUsd',
] as const;

/** The counters a rollup and a window aggregate share. */
export type RollupCounters = Pick<MinuteRollup, (typeof rollupCounters)[number]>;

/** Adds `from`'s counters into `into` (mutates `into`); histograms and failure codes are the caller's. */
export function addRollupCounters(into: RollupCounters, from: RollupCounters): void {
  for (const field of rollupCounters) into[field] += from[field];
}

/** Groups calls into per-minute, per-provider-and-model rollups. */
export function rollupCalls(calls: readonly CallRecord[]): MinuteRollup[] {
  const rollups = new Map<string, MinuteRollup>();
  for (const call of calls) {
    const minute = Math.floor(call.at / 60_000);
    const key = rollupKey({ minute, provider: call.provider, model: call.model });
    let rollup = rollups.get(key);
    if (!rollup) {
      rollup = emptyRollup(minute, call.provider, call.model);
      rollups.set(key, rollup);
    }
    addCallToRollup(rollup, call);
  }
  return [...rollups.values()];
}
