import { QuantileSketch } from './quantile-sketch';

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
  /**
   * Latency mean (exact) and quantiles, each quantile within ±`relativeAccuracy` (default 1 %) of the exact quantile of
   * every latency recorded in the range (see {@link QuantileSketch}).
   */
  latencyMs: { mean: number; p50: number; p95: number; p99: number } | undefined;
  /** Time to first token of streams, with the same error bound as `latencyMs` (the mean is exact). */
  timeToFirstTokenMs: { mean: number; p50: number; p95: number } | undefined;
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

/** One step of a {@link MetricsTimeline}: the calls or attempts that started in `[start, start + stepMs)`. */
export interface TimelinePoint {
  /** Start of the step (epoch ms, bucket-aligned). */
  start: number;
  requests: number;
  failures: number;
  /** Latency quantiles of the step, `undefined` when it had no latency sample. */
  p50LatencyMs: number | undefined;
  p95LatencyMs: number | undefined;
  costUsd: number;
}

/** What {@link MetricsRecorder.timeline} returns: the same range as a snapshot, cut into steps. */
export interface MetricsTimeline {
  since: number;
  until: number;
  /** Width of each step: a whole number of buckets. */
  stepMs: number;
  /** Logical calls of the balancer, one point per step (empty steps included, oldest first). */
  calls: TimelinePoint[];
  /** Attempts per target id (targets without requests in the range are left out). */
  targets: Record<string, TimelinePoint[]>;
}

/** Memory bounds of the recorder. */
export interface MetricsOptions {
  /** Bucket width. Default 60 000 (1 minute). */
  bucketMs?: number;
  /** How long buckets are kept. Default 86 400 000 (24 hours). */
  retentionMs?: number;
  /**
   * Relative accuracy α of the latency and TTFT quantiles: every reported quantile is within
   * ±α of the exact one. Default 0.01 (1 %). Memory per bucket grows with `ln(range) / 2α`.
   */
  relativeAccuracy?: number;
  /** @deprecated Ignored: quantiles come from a sketch over every sample, not a reservoir. */
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
  /** Created on the first latency (TTFT) sample of the bucket. */
  latency: QuantileSketch | undefined;
  ttft: QuantileSketch | undefined;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** Buckets per rollup block (an hour at the default 1-minute buckets). */
const rollupBuckets = 60;

/**
 * Everything a snapshot needs of one closed block. Integer counters and sketches are merged up
 * front (exact in any order); token and cost figures stay per bucket, so a snapshot adds them in
 * the same order as the plain merge and gets the very same floating-point sums.
 */
interface BlockRollup {
  requests: number;
  successes: number;
  /** Failures by code, in order of first appearance. */
  failuresByCode: Map<string, number>;
  inputTokens: Float64Array;
  outputTokens: Float64Array;
  costUsd: Float64Array;
  latency: QuantileSketch | undefined;
  ttft: QuantileSketch | undefined;
}

interface Series {
  buckets: Map<number, Bucket>;
  /** Highest bucket index written so far. */
  lastIndex: number;
  /**
   * Whether buckets were created in increasing index order, i.e. map order is time order.
   * Only a clock that goes back breaks it; the series then uses the plain merge for good.
   */
  ordered: boolean;
  /** Rollups of closed blocks (every block before `lastIndex`'s), built on demand by snapshots. */
  rollups: Map<number, BlockRollup>;
}

/**
 * Time-bucketed metrics with bounded memory: one bucket per key (target, model, the balancer)
 * per `bucketMs`, dropped after `retentionMs`, each holding counters and two quantile sketches
 * (latency, TTFT). A snapshot over any range merges the buckets' sketches, which gives exactly
 * the sketch of every sample in the range: each reported quantile is within ±`relativeAccuracy`
 * (default 1 %) of the exact nearest-rank quantile of all the samples recorded in the range,
 * however busy or quiet each minute was (see {@link QuantileSketch} for the precise bound).
 *
 * Snapshots over long ranges stay cheap: the buckets of every closed block of 60 buckets are
 * merged once into a rollup (cached until the block is pruned), and a snapshot merges those.
 *
 * Memory: keys × (retention / bucket) × 2 sketches, each 8 B per logarithmic bucket between the
 * smallest and largest value of its minute: about 1.8 KB for latencies spanning 100 ms to 10 s,
 * at most 14 KB (the whole 0.001 ms–10¹² ms range). With 17 keys busy every minute of the day
 * and that spread in every minute, latency sketches take ≈ 44 MB (as much again for TTFT if
 * every call streams); sketches exist only for buckets with samples and a minute of similar
 * latencies holds a few dozen buckets, so usually far less. Rollups add one sketch per hour.
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
  private readonly relativeAccuracy: number;
  // One map per kind, so recording needs no `kind + name` key string per sample.
  private readonly targets = new Map<string, Series>();
  private readonly models = new Map<string, Series>();
  private readonly calls: Series = newSeries();
  private lastPrune = 0;

  constructor(
    options: MetricsOptions,
    private readonly now: () => number,
  ) {
    this.bucketMs = options.bucketMs ?? 60_000;
    this.retentionMs = options.retentionMs ?? 86_400_000;
    this.relativeAccuracy = options.relativeAccuracy ?? 0.01;
    if (!(this.relativeAccuracy > 0 && this.relativeAccuracy < 1))
      throw new RangeError(`relativeAccuracy must be in (0, 1), got ${this.relativeAccuracy}`);
  }

  /** Records one attempt against a target and its model. */
  record(keys: { target: string; model: string }, sample: MetricsSample, at = this.now()): void {
    this.add(seriesOf(this.targets, keys.target), sample, at);
    this.add(seriesOf(this.models, keys.model), sample, at);
    this.prune(at);
  }

  /** Records the outcome of one logical call. */
  recordCall(sample: MetricsSample, at = this.now()): void {
    this.add(this.calls, sample, at);
  }

  /** Aggregates over the last `sinceMs` (default: all retained). */
  snapshot(options: { sinceMs?: number } = {}): MetricsSnapshot {
    const until = this.now();
    const firstBucket = Math.floor((until - (options.sinceMs ?? this.retentionMs)) / this.bucketMs);
    const result: MetricsSnapshot = {
      since: firstBucket * this.bucketMs,
      until,
      calls: this.merge(this.calls, firstBucket),
      targets: {},
      models: {},
    };
    for (const [name, series] of this.targets) {
      const merged = this.merge(series, firstBucket);
      if (merged.requests > 0) result.targets[name] = merged;
    }
    for (const [name, series] of this.models) {
      const merged = this.merge(series, firstBucket);
      if (merged.requests > 0) result.models[name] = merged;
    }
    return result;
  }

  /**
   * The last `sinceMs` cut into at most `points` steps (default 48), each a whole number of buckets:
   * what a chart of latency, requests and cost over time needs. Each step's quantiles come from the
   * merged sketches of its buckets, so they carry the same ±`relativeAccuracy` bound as a snapshot.
   */
  timeline(options: { sinceMs?: number; points?: number } = {}): MetricsTimeline {
    const until = this.now();
    const range = options.sinceMs ?? this.retentionMs;
    const points = Math.max(1, Math.floor(options.points ?? 48));
    const bucketsPerStep = Math.max(1, Math.ceil(range / this.bucketMs / points));
    const stepMs = bucketsPerStep * this.bucketMs;
    const lastBucket = Math.floor(until / this.bucketMs);
    // Steps end with the open bucket, so the newest step is always the one being filled.
    const steps = Math.max(1, Math.ceil(range / stepMs));
    const firstBucket = lastBucket - steps * bucketsPerStep + 1;
    const result: MetricsTimeline = {
      since: firstBucket * this.bucketMs,
      until,
      stepMs,
      calls: this.steps(this.calls, firstBucket, bucketsPerStep, steps),
      targets: {},
    };
    for (const [name, series] of this.targets) {
      const line = this.steps(series, firstBucket, bucketsPerStep, steps);
      if (line.some((point) => point.requests > 0)) result.targets[name] = line;
    }
    return result;
  }

  private steps(series: Series, firstBucket: number, bucketsPerStep: number, steps: number): TimelinePoint[] {
    const totals = Array.from({ length: steps }, (_, step) => ({
      start: (firstBucket + step * bucketsPerStep) * this.bucketMs,
      requests: 0,
      failures: 0,
      costUsd: 0,
      latency: undefined as QuantileSketch | undefined,
    }));
    for (const [index, bucket] of series.buckets) {
      if (index < firstBucket) continue;
      const total = totals[Math.floor((index - firstBucket) / bucketsPerStep)];
      if (!total) continue;
      total.requests += bucket.requests;
      total.failures += bucket.requests - bucket.successes;
      total.costUsd += bucket.costUsd;
      if (bucket.latency) {
        total.latency ??= new QuantileSketch(this.relativeAccuracy);
        total.latency.merge(bucket.latency);
      }
    }
    return totals.map(({ latency, ...point }) => {
      const [p50, p95] = latency && latency.count > 0 ? latency.quantiles([0.5, 0.95]) : [];
      return { ...point, p50LatencyMs: p50, p95LatencyMs: p95 };
    });
  }

  private add(series: Series, sample: MetricsSample, at: number): void {
    const index = Math.floor(at / this.bucketMs);
    let bucket = series.buckets.get(index);
    if (!bucket) {
      if (index < series.lastIndex) series.ordered = false;
      bucket = {
        requests: 0,
        successes: 0,
        failuresByCode: new Map(),
        latency: undefined,
        ttft: undefined,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
      };
      series.buckets.set(index, bucket);
    }
    if (index >= series.lastIndex) series.lastIndex = index;
    else series.rollups.delete(Math.floor(index / rollupBuckets)); // a closed block changed
    bucket.requests++;
    if (sample.success) bucket.successes++;
    else {
      const code = sample.code ?? 'unknown';
      bucket.failuresByCode.set(code, (bucket.failuresByCode.get(code) ?? 0) + 1);
    }
    if (sample.latencyMs !== undefined) {
      bucket.latency ??= new QuantileSketch(this.relativeAccuracy);
      bucket.latency.add(sample.latencyMs);
    }
    if (sample.timeToFirstTokenMs !== undefined) {
      bucket.ttft ??= new QuantileSketch(this.relativeAccuracy);
      bucket.ttft.add(sample.timeToFirstTokenMs);
    }
    bucket.inputTokens += sample.inputTokens ?? 0;
    bucket.outputTokens += sample.outputTokens ?? 0;
    bucket.costUsd += sample.costUsd ?? 0;
  }

  private prune(at: number): void {
    if (at - this.lastPrune < this.bucketMs) return;
    this.lastPrune = at;
    const oldest = Math.floor((at - this.retentionMs) / this.bucketMs);
    for (const series of [this.calls, ...this.targets.values(), ...this.models.values()]) {
      // This runs inside one recorded call a minute: in an ordered series the map's first keys are
      // the oldest buckets, so stop at the first one to keep instead of walking a whole day of them.
      for (const index of series.buckets.keys()) {
        if (index < oldest) series.buckets.delete(index);
        else if (series.ordered) break;
      }
      // A block that lost buckets is partial now: snapshots read what is left bucket by bucket.
      for (const block of series.rollups.keys())
        if (block * rollupBuckets < oldest) series.rollups.delete(block);
    }
  }

  /**
   * Aggregates one series from `firstBucket` on: closed blocks wholly in range come from their
   * rollups, the other buckets (the block the range starts in, the open one) are read one by one.
   */
  private merge(series: Series, firstBucket: number): TargetMetrics {
    if (!series.ordered) return this.mergeBuckets(series.buckets, firstBucket);
    const metrics = emptyMetrics();
    const oldest = series.buckets.keys().next();
    if (oldest.done) return metrics;
    // In an ordered series the first key is the oldest bucket: never walk empty time before it.
    const start = Math.max(firstBucket, oldest.value);
    const openBlock = Math.floor(series.lastIndex / rollupBuckets);
    // A sparse series (gaps of hours, or a clock that jumped) has little to merge: walking its
    // empty blocks would cost more than the plain merge.
    if (openBlock - Math.floor(start / rollupBuckets) > series.buckets.size + 1)
      return this.mergeBuckets(series.buckets, firstBucket);
    const latency = new QuantileSketch(this.relativeAccuracy);
    const ttft = new QuantileSketch(this.relativeAccuracy);
    for (let block = Math.floor(start / rollupBuckets); block <= openBlock; block++) {
      const blockStart = block * rollupBuckets;
      if (block < openBlock && blockStart >= firstBucket) {
        const rollup = this.rollupOf(series, block);
        addRollupCounters(metrics, rollup);
        if (rollup.latency) latency.merge(rollup.latency);
        if (rollup.ttft) ttft.merge(rollup.ttft);
        continue;
      }
      const end = Math.min(blockStart + rollupBuckets - 1, series.lastIndex);
      for (let index = Math.max(blockStart, start); index <= end; index++) {
        const bucket = series.buckets.get(index);
        if (!bucket) continue;
        addCounters(metrics, bucket);
        if (bucket.latency) latency.merge(bucket.latency);
        if (bucket.ttft) ttft.merge(bucket.ttft);
      }
    }
    return finish(metrics, latency, ttft);
  }

  /** The plain merge, in map order. Used when a series' clock went back, or for sparse series. */
  private mergeBuckets(buckets: Map<number, Bucket>, firstBucket: number): TargetMetrics {
    const metrics = emptyMetrics();
    const latency = new QuantileSketch(this.relativeAccuracy);
    const ttft = new QuantileSketch(this.relativeAccuracy);
    for (const [index, bucket] of buckets) {
      if (index < firstBucket) continue;
      addCounters(metrics, bucket);
      if (bucket.latency) latency.merge(bucket.latency);
      if (bucket.ttft) ttft.merge(bucket.ttft);
    }
    return finish(metrics, latency, ttft);
  }

  private rollupOf(series: Series, block: number): BlockRollup {
    let rollup = series.rollups.get(block);
    if (!rollup) {
      const buckets: Bucket[] = [];
      for (let offset = 0; offset < rollupBuckets; offset++) {
        const bucket = series.buckets.get(block * rollupBuckets + offset);
        if (bucket) buckets.push(bucket);
      }
      rollup = this.buildBlockRollup(buckets);
      series.rollups.set(block, rollup);
    }
    return rollup;
  }

  private buildBlockRollup(buckets: readonly Bucket[]): BlockRollup {
    const rollup: BlockRollup = {
      requests: 0,
      successes: 0,
      failuresByCode: new Map(),
      inputTokens: Float64Array.from(buckets, (bucket) => bucket.inputTokens),
      outputTokens: Float64Array.from(buckets, (bucket) => bucket.outputTokens),
      costUsd: Float64Array.from(buckets, (bucket) => bucket.costUsd),
      latency: undefined,
      ttft: undefined,
    };
    for (const bucket of buckets) {
      rollup.requests += bucket.requests;
      rollup.successes += bucket.successes;
      for (const [code, count] of bucket.failuresByCode)
        rollup.failuresByCode.set(code, (rollup.failuresByCode.get(code) ?? 0) + count);
      if (bucket.latency) {
        rollup.latency ??= new QuantileSketch(this.relativeAccuracy);
        rollup.latency.merge(bucket.latency);
      }
      if (bucket.ttft) {
        rollup.ttft ??= new QuantileSketch(this.relativeAccuracy);
        rollup.ttft.merge(bucket.ttft);
      }
    }
    return rollup;
  }
}

const latencyQuantiles = [0.5, 0.95, 0.99];
const ttftQuantiles = [0.5, 0.95];

function newSeries(): Series {
  return { buckets: new Map(), lastIndex: Number.NEGATIVE_INFINITY, ordered: true, rollups: new Map() };
}

function seriesOf(map: Map<string, Series>, name: string): Series {
  let series = map.get(name);
  if (!series) {
    series = newSeries();
    map.set(name, series);
  }
  return series;
}

function finish(metrics: TargetMetrics, latency: QuantileSketch, ttft: QuantileSketch): TargetMetrics {
  if (metrics.requests > 0) metrics.successRate = metrics.successes / metrics.requests;
  if (latency.count > 0) {
    const [p50, p95, p99] = latency.quantiles(latencyQuantiles);
    metrics.latencyMs = { mean: latency.mean, p50: p50 ?? 0, p95: p95 ?? 0, p99: p99 ?? 0 };
  }
  if (ttft.count > 0) {
    const [p50, p95] = ttft.quantiles(ttftQuantiles);
    metrics.timeToFirstTokenMs = { mean: ttft.mean, p50: p50 ?? 0, p95: p95 ?? 0 };
  }
  return metrics;
}

function addRollupCounters(metrics: TargetMetrics, rollup: BlockRollup): void {
  metrics.requests += rollup.requests;
  metrics.successes += rollup.successes;
  for (const [code, count] of rollup.failuresByCode) {
    metrics.failuresByCode[code] = (metrics.failuresByCode[code] ?? 0) + count;
    metrics.failures += count;
  }
  for (let index = 0; index < rollup.costUsd.length; index++) {
    metrics.inputTokens += rollup.inputTokens[index] ?? 0;
    metrics.outputTokens += rollup.outputTokens[index] ?? 0;
    metrics.costUsd += rollup.costUsd[index] ?? 0;
  }
}

function addCounters(metrics: TargetMetrics, bucket: Bucket): void {
  metrics.requests += bucket.requests;
  metrics.successes += bucket.successes;
  for (const [code, count] of bucket.failuresByCode) {
    metrics.failuresByCode[code] = (metrics.failuresByCode[code] ?? 0) + count;
    metrics.failures += count;
  }
  metrics.inputTokens += bucket.inputTokens;
  metrics.outputTokens += bucket.outputTokens;
  metrics.costUsd += bucket.costUsd;
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
