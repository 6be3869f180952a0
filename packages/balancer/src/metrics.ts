import { quantileOfSorted } from './latency-window';

/** Aggregates of one target, one model or the whole balancer over a time range. */
export interface TargetMetrics {
  /** Attempts (for the balancer total: calls). */
  requests: number;
  successes: number;
  failures: number;
  /** Failures by error code (`rate_limited`, `timeout`, …). */
  failuresByCode: Record<string, number>;
  /** successes / requests, or `undefined` with no requests. */
  successRate: number | undefined;
  latencyMs: { p50: number; p95: number; p99: number } | undefined;
  /** Time to first token of streams. */
  timeToFirstTokenMs: { p50: number; p95: number } | undefined;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** What {@link MetricsRecorder.snapshot} returns. */
export interface MetricsSnapshot {
  /** Start of the range (epoch ms, bucket-aligned). */
  since: number;
  until: number;
  /** Logical calls of the balancer (one per `chat`/`stream`, whatever the attempts). */
  calls: TargetMetrics;
  /** Attempts per target id. */
  targets: Record<string, TargetMetrics>;
  /** Attempts per `provider:modelId`. */
  models: Record<string, TargetMetrics>;
}

/** Memory bounds of the recorder. */
export interface MetricsOptions {
  /** Bucket width. Default 60 000 (1 minute). */
  bucketMs?: number;
  /** How long buckets are kept. Default 86 400 000 (24 hours). */
  retentionMs?: number;
  /** Latency samples kept per bucket (reservoir sampling). Default 32. */
  reservoirSize?: number;
}

/** One observation. */
export interface MetricsSample {
  success: boolean;
  code?: string | undefined;
  latencyMs?: number | undefined;
  timeToFirstTokenMs?: number | undefined;
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  costUsd?: number | undefined;
}

interface Bucket {
  requests: number;
  successes: number;
  failuresByCode: Map<string, number>;
  latencySeen: number;
  latency: number[];
  ttftSeen: number;
  ttft: number[];
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

const callsKey = '\u0000calls';

/**
 * Time-bucketed metrics with bounded memory: one bucket per key (target, model, the balancer)
 * per `bucketMs`, dropped after `retentionMs`, each holding counters and fixed-size latency
 * reservoirs. A snapshot over any range merges buckets, weighting each bucket's samples by the
 * number of observations it stands for, so quantiles stay honest across quiet and busy minutes.
 *
 * Worst case memory: keys × (retention / bucket) × 2 reservoirs × reservoirSize numbers
 * (17 keys × 1 440 buckets × 64 × 8 B ≈ 12 MB at the defaults; usually far less).
 *
 * @example
 * ```ts
 * const metrics = new MetricsRecorder({}, () => Date.now());
 * metrics.record({ target: 'a', model: 'openai:gpt-4o-mini' }, { success: true, latencyMs: 120 });
 * metrics.snapshot({ sinceMs: 3_600_000 }).targets.a?.latencyMs?.p50; // 120
 * ```
 */
export class MetricsRecorder {
  private readonly bucketMs: number;
  private readonly retentionMs: number;
  private readonly reservoirSize: number;
  private readonly series = new Map<string, Map<number, Bucket>>();
  private readonly kinds = new Map<string, 'target' | 'model' | 'calls'>();
  private seed = 0x9e3779b9;
  private lastPrune = 0;

  constructor(
    options: MetricsOptions,
    private readonly now: () => number,
  ) {
    this.bucketMs = options.bucketMs ?? 60_000;
    this.retentionMs = options.retentionMs ?? 86_400_000;
    this.reservoirSize = options.reservoirSize ?? 32;
  }

  /** Records one attempt against a target and its model. */
  record(keys: { target: string; model: string }, sample: MetricsSample): void {
    const at = this.now();
    this.add('target', keys.target, sample, at);
    this.add('model', keys.model, sample, at);
    this.prune(at);
  }

  /** Records the outcome of one logical call. */
  recordCall(sample: MetricsSample): void {
    this.add('calls', callsKey, sample, this.now());
  }

  /** Aggregates over the last `sinceMs` (default: all retained). */
  snapshot(options: { sinceMs?: number } = {}): MetricsSnapshot {
    const until = this.now();
    const firstBucket = Math.floor((until - (options.sinceMs ?? this.retentionMs)) / this.bucketMs);
    const result: MetricsSnapshot = {
      since: firstBucket * this.bucketMs,
      until,
      calls: emptyMetrics(),
      targets: {},
      models: {},
    };
    for (const [key, buckets] of this.series) {
      const kind = this.kinds.get(key);
      const name = key.slice(key.indexOf('\u0001') + 1);
      const merged = mergeBuckets(buckets, firstBucket);
      if (kind === 'calls') result.calls = merged;
      else if (merged.requests > 0) {
        if (kind === 'target') result.targets[name] = merged;
        else result.models[name] = merged;
      }
    }
    return result;
  }

  private add(kind: 'target' | 'model' | 'calls', name: string, sample: MetricsSample, at: number): void {
    const key = `${kind}\u0001${name}`;
    let buckets = this.series.get(key);
    if (!buckets) {
      buckets = new Map();
      this.series.set(key, buckets);
      this.kinds.set(key, kind);
    }
    const index = Math.floor(at / this.bucketMs);
    let bucket = buckets.get(index);
    if (!bucket) {
      bucket = {
        requests: 0,
        successes: 0,
        failuresByCode: new Map(),
        latencySeen: 0,
        latency: [],
        ttftSeen: 0,
        ttft: [],
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
      };
      buckets.set(index, bucket);
    }
    bucket.requests++;
    if (sample.success) bucket.successes++;
    else {
      const code = sample.code ?? 'unknown';
      bucket.failuresByCode.set(code, (bucket.failuresByCode.get(code) ?? 0) + 1);
    }
    if (sample.latencyMs !== undefined) {
      bucket.latencySeen++;
      this.sampleInto(bucket.latency, bucket.latencySeen, sample.latencyMs);
    }
    if (sample.timeToFirstTokenMs !== undefined) {
      bucket.ttftSeen++;
      this.sampleInto(bucket.ttft, bucket.ttftSeen, sample.timeToFirstTokenMs);
    }
    bucket.inputTokens += sample.inputTokens ?? 0;
    bucket.outputTokens += sample.outputTokens ?? 0;
    bucket.costUsd += sample.costUsd ?? 0;
  }

  /** Reservoir sampling (Algorithm R) with a private xorshift, so it never consumes the routing RNG. */
  private sampleInto(reservoir: number[], seen: number, value: number): void {
    if (reservoir.length < this.reservoirSize) {
      reservoir.push(value);
      return;
    }
    this.seed ^= this.seed << 13;
    this.seed ^= this.seed >>> 17;
    this.seed ^= this.seed << 5;
    const slot = (this.seed >>> 0) % seen;
    if (slot < this.reservoirSize) reservoir[slot] = value;
  }

  private prune(at: number): void {
    if (at - this.lastPrune < this.bucketMs) return;
    this.lastPrune = at;
    const oldest = Math.floor((at - this.retentionMs) / this.bucketMs);
    for (const buckets of this.series.values()) {
      for (const index of buckets.keys()) if (index < oldest) buckets.delete(index);
    }
  }
}

function emptyMetrics(): TargetMetrics {
  return {
    requests: 0,
    successes: 0,
    failures: 0,
    failuresByCode: {},
    successRate: undefined,
    latencyMs: undefined,
    timeToFirstTokenMs: undefined,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
  };
}

function mergeBuckets(buckets: Map<number, Bucket>, firstBucket: number): TargetMetrics {
  const metrics = emptyMetrics();
  const latency: Array<[number, number]> = [];
  const ttft: Array<[number, number]> = [];
  for (const [index, bucket] of buckets) {
    if (index < firstBucket) continue;
    metrics.requests += bucket.requests;
    metrics.successes += bucket.successes;
    for (const [code, count] of bucket.failuresByCode) {
      metrics.failuresByCode[code] = (metrics.failuresByCode[code] ?? 0) + count;
      metrics.failures += count;
    }
    metrics.inputTokens += bucket.inputTokens;
    metrics.outputTokens += bucket.outputTokens;
    metrics.costUsd += bucket.costUsd;
    const latencyWeight = bucket.latencySeen / Math.max(1, bucket.latency.length);
    for (const value of bucket.latency) latency.push([value, latencyWeight]);
    const ttftWeight = bucket.ttftSeen / Math.max(1, bucket.ttft.length);
    for (const value of bucket.ttft) ttft.push([value, ttftWeight]);
  }
  if (metrics.requests > 0) metrics.successRate = metrics.successes / metrics.requests;
  if (latency.length > 0) {
    const [p50, p95, p99] = weightedQuantiles(latency, [0.5, 0.95, 0.99]);
    metrics.latencyMs = { p50: p50 ?? 0, p95: p95 ?? 0, p99: p99 ?? 0 };
  }
  if (ttft.length > 0) {
    const [p50, p95] = weightedQuantiles(ttft, [0.5, 0.95]);
    metrics.timeToFirstTokenMs = { p50: p50 ?? 0, p95: p95 ?? 0 };
  }
  return metrics;
}

function weightedQuantiles(samples: Array<[number, number]>, qs: number[]): number[] {
  if (samples.every(([, weight]) => weight === 1)) {
    const sorted = samples.map(([value]) => value).sort((a, b) => a - b);
    return qs.map((q) => quantileOfSorted(sorted, q));
  }
  samples.sort((a, b) => a[0] - b[0]);
  let total = 0;
  for (const [, weight] of samples) total += weight;
  return qs.map((q) => {
    const goal = q * total;
    let running = 0;
    for (const [value, weight] of samples) {
      running += weight;
      if (running >= goal) return value;
    }
    return samples[samples.length - 1]?.[0] ?? Number.NaN;
  });
}
