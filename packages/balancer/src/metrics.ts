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

/** Buckets per rollup block (an hour at the default 1-minute buckets). */
const rollupBuckets = 60;

/**
 * The reservoir samples of one closed block of buckets, sorted by value. Ties keep their order
 * of arrival (bucket order, then reservoir order), exactly as a stable sort of the whole range
 * would, so merging blocks gives the very sequence the plain algorithm sorts, weights and all.
 */
interface ReservoirRollup {
  values: Float64Array;
  /** Bucket of each sample, as an offset in the block (its weight is `weights[offset]`). */
  offsets: Uint8Array;
  /** Weight of each bucket's samples: observations / samples kept. */
  weights: Float64Array;
}

/**
 * Everything a snapshot needs of one closed block. Integer counters are summed up front (exact
 * in any order); token and cost figures stay per bucket, so a snapshot adds them in the same
 * order as the plain merge and gets the very same floating-point sums.
 */
interface BlockRollup {
  requests: number;
  successes: number;
  /** Failures by code, in order of first appearance. */
  failuresByCode: Map<string, number>;
  inputTokens: Float64Array;
  outputTokens: Float64Array;
  costUsd: Float64Array;
  latency: ReservoirRollup;
  ttft: ReservoirRollup;
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

type ReservoirKind = 'latency' | 'ttft';

/**
 * Time-bucketed metrics with bounded memory: one bucket per key (target, model, the balancer)
 * per `bucketMs`, dropped after `retentionMs`, each holding counters and fixed-size latency
 * reservoirs. A snapshot over any range merges buckets, weighting each bucket's samples by the
 * number of observations it stands for, so quantiles stay honest across quiet and busy minutes.
 *
 * Snapshots over long ranges stay cheap: the samples of every closed block of 60 buckets are
 * sorted once into a rollup (cached until the block is pruned), and a snapshot merges those
 * sorted runs instead of sorting every sample of the range again. The merge is stable, so the
 * quantiles are exactly those of sorting the whole range.
 *
 * Worst case memory: keys × (retention / bucket) × 2 reservoirs × reservoirSize numbers
 * (17 keys × 1 440 buckets × 64 × 8 B ≈ 12 MB at the defaults; usually far less), plus the
 * rollups, which hold each retained sample once more (9 B per sample).
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
  // One map per kind, so recording needs no `kind + name` key string per sample.
  private readonly targets = new Map<string, Series>();
  private readonly models = new Map<string, Series>();
  private readonly calls: Series = newSeries();
  private seed = 0x9e3779b9;
  private lastPrune = 0;
  private readonly latencyRuns = new RunMerger();
  private readonly ttftRuns = new RunMerger();

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
    this.add(seriesOf(this.targets, keys.target), sample, at);
    this.add(seriesOf(this.models, keys.model), sample, at);
    this.prune(at);
  }

  /** Records the outcome of one logical call. */
  recordCall(sample: MetricsSample): void {
    this.add(this.calls, sample, this.now());
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

  private add(series: Series, sample: MetricsSample, at: number): void {
    const index = Math.floor(at / this.bucketMs);
    let bucket = series.buckets.get(index);
    if (!bucket) {
      if (index < series.lastIndex) series.ordered = false;
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
    for (const series of [this.calls, ...this.targets.values(), ...this.models.values()]) {
      for (const index of series.buckets.keys()) if (index < oldest) series.buckets.delete(index);
      // A block that lost buckets is partial now: snapshots read what is left bucket by bucket.
      for (const block of series.rollups.keys())
        if (block * rollupBuckets < oldest) series.rollups.delete(block);
    }
  }

  /**
   * Aggregates one series from `firstBucket` on: closed blocks wholly in range come from their
   * rollups, the other buckets (the block the range starts in, the open one) are read one by
   * one; the sorted sample runs are then merged stably, in time order.
   */
  private merge(series: Series, firstBucket: number): TargetMetrics {
    if (!series.ordered) return mergeBuckets(series.buckets, firstBucket);
    const metrics = emptyMetrics();
    const oldest = series.buckets.keys().next();
    if (oldest.done) return metrics;
    // In an ordered series the first key is the oldest bucket: never walk empty time before it.
    const start = Math.max(firstBucket, oldest.value);
    const openBlock = Math.floor(series.lastIndex / rollupBuckets);
    // A sparse series (gaps of hours, or a clock that jumped) has little to merge: walking its
    // empty blocks would cost more than the plain merge.
    if (openBlock - Math.floor(start / rollupBuckets) > series.buckets.size + 1)
      return mergeBuckets(series.buckets, firstBucket);
    const latencyRuns = this.latencyRuns;
    const ttftRuns = this.ttftRuns;
    latencyRuns.reset();
    ttftRuns.reset();
    for (let block = Math.floor(start / rollupBuckets); block <= openBlock; block++) {
      const blockStart = block * rollupBuckets;
      if (block < openBlock && blockStart >= firstBucket) {
        const rollup = this.rollupOf(series, block);
        addRollupCounters(metrics, rollup);
        latencyRuns.addRollup(rollup.latency);
        ttftRuns.addRollup(rollup.ttft);
        continue;
      }
      const end = Math.min(blockStart + rollupBuckets - 1, series.lastIndex);
      for (let index = Math.max(blockStart, start); index <= end; index++) {
        const bucket = series.buckets.get(index);
        if (!bucket) continue;
        addCounters(metrics, bucket);
        latencyRuns.addLoose(bucket.latency, bucket.latencySeen / Math.max(1, bucket.latency.length));
        ttftRuns.addLoose(bucket.ttft, bucket.ttftSeen / Math.max(1, bucket.ttft.length));
      }
    }
    if (metrics.requests > 0) metrics.successRate = metrics.successes / metrics.requests;
    const latency = latencyRuns.quantiles(latencyQuantiles);
    if (latency) metrics.latencyMs = { p50: latency[0] ?? 0, p95: latency[1] ?? 0, p99: latency[2] ?? 0 };
    const ttft = ttftRuns.quantiles(ttftQuantiles);
    if (ttft) metrics.timeToFirstTokenMs = { p50: ttft[0] ?? 0, p95: ttft[1] ?? 0 };
    return metrics;
  }

  private rollupOf(series: Series, block: number): BlockRollup {
    let rollup = series.rollups.get(block);
    if (!rollup) {
      const buckets: Bucket[] = [];
      const offsets: number[] = [];
      for (let offset = 0; offset < rollupBuckets; offset++) {
        const bucket = series.buckets.get(block * rollupBuckets + offset);
        if (!bucket) continue;
        buckets.push(bucket);
        offsets.push(offset);
      }
      rollup = buildBlockRollup(buckets, offsets);
      series.rollups.set(block, rollup);
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

function buildBlockRollup(buckets: readonly Bucket[], offsets: readonly number[]): BlockRollup {
  const rollup: BlockRollup = {
    requests: 0,
    successes: 0,
    failuresByCode: new Map(),
    inputTokens: Float64Array.from(buckets, (bucket) => bucket.inputTokens),
    outputTokens: Float64Array.from(buckets, (bucket) => bucket.outputTokens),
    costUsd: Float64Array.from(buckets, (bucket) => bucket.costUsd),
    latency: buildReservoirRollup(buckets, offsets, 'latency'),
    ttft: buildReservoirRollup(buckets, offsets, 'ttft'),
  };
  for (const bucket of buckets) {
    rollup.requests += bucket.requests;
    rollup.successes += bucket.successes;
    for (const [code, count] of bucket.failuresByCode)
      rollup.failuresByCode.set(code, (rollup.failuresByCode.get(code) ?? 0) + count);
  }
  return rollup;
}

/** Sorts rollups as they are built (synchronous, so shared). */
let sharedRollupRuns: RunMerger | undefined;

function buildReservoirRollup(
  buckets: readonly Bucket[],
  offsets: readonly number[],
  kind: ReservoirKind,
): ReservoirRollup {
  const weights = new Float64Array(rollupBuckets);
  // Each bucket becomes one sorted run carrying its offset (in place of a weight); merging the
  // runs stably gives the block sorted by value, ties in arrival order. Typed arrays and
  // insertion sorts of ≤ reservoirSize samples: far cheaper than one comparator sort.
  sharedRollupRuns ??= new RunMerger();
  const rollupRuns = sharedRollupRuns;
  rollupRuns.reset();
  buckets.forEach((bucket, position) => {
    const offset = offsets[position] ?? 0;
    const reservoir = kind === 'latency' ? bucket.latency : bucket.ttft;
    const seen = kind === 'latency' ? bucket.latencySeen : bucket.ttftSeen;
    weights[offset] = seen / Math.max(1, reservoir.length);
    rollupRuns.addSortedRun(reservoir, offset);
  });
  const { values, weights: sampleOffsets } = rollupRuns.sorted();
  return { values: values.slice(), offsets: Uint8Array.from(sampleOffsets), weights };
}

/** Positions of `values` sorted by value, ties in arrival order (what a stable sort does). */
function stableOrder(values: readonly number[]): number[] {
  const order = Array.from(values, (_, position) => position);
  return order.sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0) || a - b);
}

/**
 * Collects sorted runs of (value, weight) in time order, merges them stably and reads weighted
 * quantiles off the result, exactly as {@link weightedQuantiles} does on the unsorted samples.
 * Its buffers are reused across snapshots (they grow to the largest series seen).
 */
class RunMerger {
  private values = new Float64Array(1024);
  private weights = new Float64Array(1024);
  private spareValues = new Float64Array(1024);
  private spareWeights = new Float64Array(1024);
  private length = 0;
  /** End of each run in the buffers. */
  private readonly ends: number[] = [];
  /** Start of the loose samples not yet sorted into a run, or -1. */
  private looseStart = -1;

  reset(): void {
    this.length = 0;
    this.ends.length = 0;
    this.looseStart = -1;
  }

  addRollup(rollup: ReservoirRollup): void {
    this.closeLoose();
    const count = rollup.values.length;
    if (count === 0) return;
    this.reserve(count);
    this.values.set(rollup.values, this.length);
    for (let index = 0; index < count; index++)
      this.weights[this.length + index] = rollup.weights[rollup.offsets[index] ?? 0] ?? 0;
    this.length += count;
    this.ends.push(this.length);
  }

  addLoose(reservoir: readonly number[], weight: number): void {
    if (reservoir.length === 0) return;
    if (this.looseStart < 0) this.looseStart = this.length;
    this.reserve(reservoir.length);
    for (const value of reservoir) {
      this.values[this.length] = value;
      this.weights[this.length] = weight;
      this.length++;
    }
  }

  /** Adds one run of `values` (sorted here, stably), every sample carrying `weight`. */
  addSortedRun(values: readonly number[], weight: number): void {
    this.closeLoose();
    if (values.length === 0) return;
    this.reserve(values.length);
    const start = this.length;
    for (const value of values) {
      let at = this.length++;
      // Stable insertion sort: only strictly greater values move right.
      while (at > start && (this.values[at - 1] ?? 0) > value) {
        this.values[at] = this.values[at - 1] ?? 0;
        at--;
      }
      this.values[at] = value;
    }
    this.weights.fill(weight, start, this.length);
    this.ends.push(this.length);
  }

  /** Every run merged: views valid until the next use of this merger. */
  sorted(): { values: Float64Array; weights: Float64Array } {
    this.closeLoose();
    this.mergeAll();
    return { values: this.values.subarray(0, this.length), weights: this.weights.subarray(0, this.length) };
  }

  quantiles(qs: readonly number[]): number[] | undefined {
    this.closeLoose();
    if (this.length === 0) return undefined;
    this.mergeAll();
    const values = this.values;
    const weights = this.weights;
    const count = this.length;
    let allOnes = true;
    for (let index = 0; index < count; index++) {
      if (weights[index] !== 1) {
        allOnes = false;
        break;
      }
    }
    const sorted = values.subarray(0, count);
    if (allOnes) return qs.map((q) => quantileOfSorted(sorted, q));
    let total = 0;
    for (let index = 0; index < count; index++) total += weights[index] ?? 0;
    return qs.map((q) => {
      const goal = q * total;
      let running = 0;
      for (let index = 0; index < count; index++) {
        running += weights[index] ?? 0;
        if (running >= goal) return values[index] ?? Number.NaN;
      }
      return values[count - 1] ?? Number.NaN;
    });
  }

  /** Sorts the pending loose samples (stably) into one run. */
  private closeLoose(): void {
    const start = this.looseStart;
    if (start < 0) return;
    this.looseStart = -1;
    const values = Array.from(this.values.subarray(start, this.length));
    const weights = this.weights.slice(start, this.length);
    const order = stableOrder(values);
    for (let index = 0; index < order.length; index++) {
      const position = order[index] ?? 0;
      this.values[start + index] = values[position] ?? 0;
      this.weights[start + index] = weights[position] ?? 0;
    }
    this.ends.push(this.length);
  }

  /** Merges adjacent runs pairwise until one is left; ties take the earlier run first. */
  private mergeAll(): void {
    let ends = this.ends;
    while (ends.length > 1) {
      const next: number[] = [];
      let start = 0;
      for (let run = 0; run < ends.length; run += 2) {
        const middle = ends[run] ?? 0;
        const end = ends[run + 1] ?? middle;
        this.mergeInto(start, middle, end);
        next.push(end);
        start = end;
      }
      const values = this.values;
      this.values = this.spareValues;
      this.spareValues = values;
      const weights = this.weights;
      this.weights = this.spareWeights;
      this.spareWeights = weights;
      ends = next;
    }
  }

  private mergeInto(start: number, middle: number, end: number): void {
    const values = this.values;
    const weights = this.weights;
    const outValues = this.spareValues;
    const outWeights = this.spareWeights;
    let left = start;
    let right = middle;
    let out = start;
    while (left < middle && right < end) {
      // `<=`: on a tie the earlier run goes first, which keeps the merge stable.
      if ((values[left] ?? 0) <= (values[right] ?? 0)) {
        outValues[out] = values[left] ?? 0;
        outWeights[out++] = weights[left++] ?? 0;
      } else {
        outValues[out] = values[right] ?? 0;
        outWeights[out++] = weights[right++] ?? 0;
      }
    }
    while (left < middle) {
      outValues[out] = values[left] ?? 0;
      outWeights[out++] = weights[left++] ?? 0;
    }
    while (right < end) {
      outValues[out] = values[right] ?? 0;
      outWeights[out++] = weights[right++] ?? 0;
    }
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.values.length) return;
    const size = Math.max(needed, this.values.length * 2);
    const grow = (from: Float64Array) => {
      const to = new Float64Array(size);
      to.set(from.subarray(0, this.length));
      return to;
    };
    this.values = grow(this.values);
    this.weights = grow(this.weights);
    this.spareValues = new Float64Array(size);
    this.spareWeights = new Float64Array(size);
  }
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

/** The plain merge: every sample of the range, sorted at once. Used when a series' clock went back. */
function mergeBuckets(buckets: Map<number, Bucket>, firstBucket: number): TargetMetrics {
  const metrics = emptyMetrics();
  const latency: Array<[number, number]> = [];
  const ttft: Array<[number, number]> = [];
  for (const [index, bucket] of buckets) {
    if (index < firstBucket) continue;
    addCounters(metrics, bucket);
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
