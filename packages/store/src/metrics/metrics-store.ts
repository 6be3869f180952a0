import type { StoreDescription } from '../store-description';
import type { CallRecord, CallRecordInput } from './call-record';
import type { PerformanceReport } from './performance-report';
import type { WriteBufferStats } from './write-buffer';

/** Retention and batching of a metrics store. Every bound has a default. */
export interface MetricsStoreOptions {
  /** Per-minute rollups older than this are deleted. Default 30 days (`?hours=720`). */
  rollupRetentionMs?: number;
  /** Raw calls older than this are deleted. Default 24 h. */
  rawRetentionMs?: number;
  /** At most this many raw calls are kept (oldest deleted first). Default 200 000. */
  maxRawCalls?: number;
  /** Calls written per transaction; a batch is written as soon as it is full. Default 500. */
  batchSize?: number;
  /** A partial batch is written this long after its first call. Default 1 000 ms. */
  flushIntervalMs?: number;
  /** Calls held in memory while the database fails (oldest dropped beyond). Default 20 000. */
  maxBufferedCalls?: number;
  /** Pruning runs after a flush at most this often. Default 60 000 ms. */
  pruneIntervalMs?: number;
  /** Clock (epoch ms) for queries and retention. */
  now?: () => number;
}

/** What {@link MetricsStore.prune} deleted. */
export interface MetricsPruneResult {
  rawCallsDeleted: number;
  rollupsDeleted: number;
}

/** Health of a metrics store: where it writes and how its write buffer is doing. */
export interface MetricsStoreDescription extends StoreDescription {
  buffer: WriteBufferStats;
}

/**
 * Balancer call history: raw calls for a bounded window plus per-minute rollups per provider and
 * model, so `GET /api/monitoring/performance?hours=N` answers for any N up to the rollup
 * retention, across restarts, in time independent of the number of calls.
 *
 * `record()` is synchronous and never blocks a request: calls are buffered and written in
 * batches (see {@link MetricsStoreOptions} for the flush policy); `flush()` forces a write.
 *
 * @example
 * ```ts
 * const metrics = createSqlMetricsStore(await openSqliteDatabase({ path: 'ballast.db' }));
 * metrics.record({ at: Date.now(), provider: 'openai', model: 'gpt-4o-mini', outcome: 'success', latencyMs: 420 });
 * const report = await metrics.performance({ hours: 24 });
 * ```
 */
export interface MetricsStore {
  /**
   * Buffers one call.
   * @throws {StoreError} `invalid_input` when the record does not match {@link callRecordSchema}.
   */
  record(call: CallRecordInput): void;
  /** Writes every buffered call now. */
  flush(): Promise<void>;
  /** Per provider and per model figures of the last `hours` hours (flushed calls only). */
  performance(query: { hours: number }): Promise<PerformanceReport>;
  /** The newest raw calls, newest first. */
  recentCalls(query: { limit: number }): Promise<CallRecord[]>;
  /** Applies the retention and size bounds now (also done automatically after flushes). */
  prune(): Promise<MetricsPruneResult>;
  describe(): Promise<MetricsStoreDescription>;
  /** Flushes and releases the store (not the database it was given). */
  close(): Promise<void>;
}

/** Options with every default applied. */
export function metricsOptionsWithDefaults(options: MetricsStoreOptions) {
  return {
    rollupRetentionMs: options.rollupRetentionMs ?? 30 * 86_400_000,
    rawRetentionMs: options.rawRetentionMs ?? 86_400_000,
    maxRawCalls: options.maxRawCalls ?? 200_000,
    batchSize: options.batchSize ?? 500,
    flushIntervalMs: options.flushIntervalMs ?? 1_000,
    maxBufferedCalls: options.maxBufferedCalls ?? 20_000,
    pruneIntervalMs: options.pruneIntervalMs ?? 60_000,
    now: options.now ?? (() => Date.now()),
  };
}
