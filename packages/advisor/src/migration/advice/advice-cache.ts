import { createHash } from 'node:crypto';
import { AbortedError, type ClusterSnapshot } from '@ballast/core';
import { type AdviseMigrationsInput, adviseMigrations, type MigrationAdvice } from './advise-migrations';
import type { AnalysisPeriod } from './analysis-period';

/**
 * Options of {@link snapshotFingerprint}.
 *
 * @example
 * ```ts
 * const options: SnapshotFingerprintOptions = { period: '24h', bucketPercent: 5 };
 * ```
 */
export interface SnapshotFingerprintOptions {
  period: AnalysisPeriod;
  /** Loads are rounded to buckets of this many percentage points. Default 5. */
  bucketPercent?: number;
}

/**
 * A stable SHA-256 (hex) of the decision-relevant state of a snapshot: placement (which guest on
 * which node), node and guest states and sizes, loads rounded to `bucketPercent` (node CPU % of
 * cores and memory % of RAM; guest CPU % of its vCPUs and memory % of its maximum), tags, locks, HA
 * flags, storages, constraints and the period. Not included: `collectedAt`, series, exact byte
 * counts, the source. Two snapshots a few minutes apart with the same placement and similar load
 * give the same fingerprint; a migration changes it.
 *
 * @example
 * ```ts
 * snapshotFingerprint(snapshot, { period: '24h' }) === snapshotFingerprint({ ...snapshot, collectedAt: Date.now() }, { period: '24h' }); // true
 * ```
 */
export function snapshotFingerprint(snapshot: ClusterSnapshot, options: SnapshotFingerprintOptions): string {
  const bucketSize = options.bucketPercent ?? 5;
  const bucket = (used: number, total: number) =>
    total > 0 && bucketSize > 0 ? Math.round((used / total) * (100 / bucketSize)) : 0;
  const nodes = [...snapshot.nodes]
    .sort((a, b) => compare(a.name, b.name))
    .map((node) => [
      node.name,
      node.status,
      node.maintenance,
      node.haState ?? null,
      node.cpu.cores,
      node.memory.totalBytes,
      bucket(node.cpu.usageCores, node.cpu.cores),
      bucket(node.memory.usedBytes, node.memory.totalBytes),
    ]);
  const guests = [...snapshot.guests]
    .sort((a, b) => a.vmid - b.vmid)
    .map((guest) => [
      guest.vmid,
      guest.node,
      guest.kind,
      guest.status,
      guest.template,
      guest.lock ?? null,
      guest.haManaged,
      guest.haState ?? null,
      [...guest.tags].sort(),
      guest.cpu.cores,
      guest.memory.maxBytes,
      bucket(guest.cpu.usageCores, guest.cpu.cores),
      bucket(guest.memory.usedBytes, guest.memory.maxBytes),
      [...guest.storages].sort(),
      guest.localDisks.map((disk) => [disk.storage, disk.sizeBytes]).sort(),
    ]);
  const storages = [...snapshot.storages]
    .map((storage) => [storage.node, storage.id, storage.shared, storage.status])
    .sort((a, b) => compare(JSON.stringify(a), JSON.stringify(b)));
  const constraints = Object.fromEntries(
    Object.entries(snapshot.constraints).map(([key, list]) => [
      key,
      (list as unknown[]).map(stableStringify).sort(),
    ]),
  );
  const canonical = stableStringify({
    v: 1,
    period: options.period,
    bucketSize,
    nodes,
    guests,
    storages,
    constraints,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Options of {@link createAdviceCache}.
 *
 * @example
 * ```ts
 * const options: AdviceCacheOptions = { ttlMs: 15 * 60_000, maxEntries: 32 };
 * ```
 */
export interface AdviceCacheOptions {
  /** How long an answer stays valid, ms. Default 15 minutes. */
  ttlMs?: number;
  /** Most cached answers (least recently used evicted). Default 32. */
  maxEntries?: number;
  /** Load rounding of the fingerprint, percentage points. Default 5. */
  bucketPercent?: number;
  /** The advisor to wrap. Default {@link adviseMigrations}. */
  advise?: (input: AdviseMigrationsInput) => Promise<MigrationAdvice>;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * Counters of an {@link AdviceCache}.
 *
 * @example
 * ```ts
 * const ratio = (stats: AdviceCacheStats) => stats.hits / Math.max(1, stats.hits + stats.misses);
 * ```
 */
export interface AdviceCacheStats {
  hits: number;
  misses: number;
  /** Callers that joined a call already in flight. */
  shared: number;
  /** Results not stored because the model failed (`llm.status` `failed` / `invalid`) or the call threw. */
  notCached: number;
}

/**
 * A bounded, expiring cache around {@link adviseMigrations}.
 *
 * @example
 * ```ts
 * const cache = createAdviceCache({ ttlMs: 600_000 });
 * const advice = await cache.advise({ snapshot, model, period: '24h' });
 * ```
 */
export interface AdviceCache {
  /** Like `adviseMigrations`, but answered from the cache when the key matches. */
  advise(input: AdviseMigrationsInput): Promise<MigrationAdvice>;
  /** The cache key of an input: fingerprint, period, model and options. */
  keyOf(input: AdviseMigrationsInput): string;
  readonly size: number;
  stats(): AdviceCacheStats;
  clear(): void;
}

/**
 * Wraps {@link adviseMigrations} so the model is asked once per decision-relevant state: the key is
 * {@link snapshotFingerprint} + period + `provider:modelId` + the options (without `signal`).
 * Answers are kept for `ttlMs` in an LRU of `maxEntries`. Concurrent callers with the same key share
 * one call. Answers where the model failed (`llm.status` `failed` or `invalid`) and thrown errors
 * are not cached, so the next call retries the model. A caller's `signal` only abandons its own
 * wait; the shared call runs to its own timeout. A cached answer describes the snapshot it was
 * computed from (same fingerprint, possibly slightly different exact loads).
 *
 * @example
 * ```ts
 * const cache = createAdviceCache({ ttlMs: 15 * 60_000, maxEntries: 16 });
 * const [a, b] = await Promise.all([cache.advise({ snapshot, model }), cache.advise({ snapshot, model })]);
 * a === b; // true: one model call
 * ```
 */
export function createAdviceCache(options: AdviceCacheOptions = {}): AdviceCache {
  const ttlMs = options.ttlMs ?? 15 * 60_000;
  const maxEntries = Math.max(1, options.maxEntries ?? 32);
  const advise = options.advise ?? adviseMigrations;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { advice: MigrationAdvice; expiresAt: number }>();
  const inFlight = new Map<string, Promise<MigrationAdvice>>();
  const stats: AdviceCacheStats = { hits: 0, misses: 0, shared: 0, notCached: 0 };

  const keyOf = (input: AdviseMigrationsInput): string => {
    const period = input.period ?? '24h';
    const { signal: _signal, ...rest } = input.options ?? {};
    const model = input.model === undefined ? 'none' : `${input.model.provider}:${input.model.modelId}`;
    const fingerprint = snapshotFingerprint(input.snapshot, {
      period,
      ...(options.bucketPercent === undefined ? {} : { bucketPercent: options.bucketPercent }),
    });
    const optionsHash = createHash('sha256').update(stableStringify(rest)).digest('hex').slice(0, 16);
    return `${fingerprint}|${period}|${model}|${optionsHash}`;
  };

  const run = (key: string, input: AdviseMigrationsInput): Promise<MigrationAdvice> => {
    const { signal: _signal, ...rest } = input.options ?? {};
    const promise = advise({ ...input, options: rest })
      .then((advice) => {
        if (advice.llm.status === 'failed' || advice.llm.status === 'invalid') stats.notCached++;
        else {
          entries.delete(key);
          entries.set(key, { advice, expiresAt: now() + ttlMs });
          while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
        }
        return advice;
      })
      .catch((error: unknown) => {
        stats.notCached++;
        throw error;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, promise);
    return promise;
  };

  return {
    keyOf,
    get size() {
      return entries.size;
    },
    stats: () => ({ ...stats }),
    clear: () => entries.clear(),
    advise: (input) => {
      const signal = input.options?.signal;
      if (signal?.aborted) return Promise.reject(new AbortedError({ cause: signal.reason }));
      const key = keyOf(input);
      const cached = entries.get(key);
      if (cached !== undefined && cached.expiresAt > now()) {
        stats.hits++;
        entries.delete(key);
        entries.set(key, cached);
        return Promise.resolve(cached.advice);
      }
      if (cached !== undefined) entries.delete(key);
      let shared = inFlight.get(key);
      if (shared !== undefined) stats.shared++;
      else {
        stats.misses++;
        shared = run(key, input);
      }
      return signal === undefined ? shared : abandonOnAbort(shared, signal);
    },
  };
}

function abandonOnAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError({ cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined && typeof item !== 'function')
      .sort(([a], [b]) => compare(a, b));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableStringify(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
