import type { SharedState } from '@ballast/core';
import { HttpError } from './http-error';

/**
 * Options of {@link createRateLimiter}.
 *
 * @example
 * ```ts
 * const options: RateLimiterOptions = { sharedState: createRedisSharedState({ url }), scope: 'gateway' };
 * ```
 */
export interface RateLimiterOptions {
  now?: () => number;
  /** Most keys with a local bucket; the oldest is dropped past it. Default 10 000. */
  maxKeys?: number;
  /**
   * Counts every key's requests in this shared state (one sliding window per key, exact across
   * replicas), so N replicas allow a key its limit in total, not N times it. While the shared state
   * is unavailable, or a count fails, the local buckets decide (each replica then allows the limit
   * on its own: degraded, never blocked on Redis).
   */
  sharedState?: SharedState | undefined;
  /** Prefix of the shared counters, so several services can share one store. Default `ballast`. */
  scope?: string;
}

/** Every limit is requests per minute: the shared window is one minute long. */
const windowMs = 60_000;

/**
 * Per-key rate limits. Alone: token buckets per key, `requestsPerMinute` refilled per minute,
 * bursts up to that figure. With `sharedState`: a sliding one-minute window per key counted by
 * every replica together (`consumeRate`, atomic on Redis), with the local buckets as the fallback
 * while the shared state is away. Memory is one small record per key seen; idle buckets are dropped.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ sharedState, scope: 'gateway' });
 * await limiter.take('ci', 60); // throws HttpError 429 with Retry-After when the key is over its limit
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions = {}) {
  const now = options.now ?? (() => Date.now());
  const maxKeys = options.maxKeys ?? 10_000;
  const { sharedState } = options;
  const scope = options.scope ?? 'ballast';
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();
  const overrides = new Map<string, number>();

  const refused = (limit: number, waitMs: number) =>
    new HttpError(429, 'rate_limited', `Rate limit of ${limit} requests per minute exceeded`, {
      headers: { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) },
    });

  /** The local token bucket: the whole limiter without shared state, the fallback with it. */
  const takeLocal = (key: string, limit: number): void => {
    const at = now();
    let bucket = buckets.get(key);
    if (!bucket) {
      if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string);
      bucket = { tokens: limit, updatedAt: at };
      buckets.set(key, bucket);
    }
    const perMs = limit / 60_000;
    bucket.tokens = Math.min(limit, bucket.tokens + (at - bucket.updatedAt) * perMs);
    bucket.updatedAt = at;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    throw refused(limit, (1 - bucket.tokens) / perMs);
  };

  const takeShared = async (state: SharedState, key: string, limit: number): Promise<void> => {
    let verdict: Awaited<ReturnType<SharedState['consumeRate']>>;
    try {
      verdict = await state.consumeRate(`${scope}:key:${key}`, limit, windowMs);
    } catch {
      // Shared state away (or slow past its command timeout): this replica decides alone.
      takeLocal(key, limit);
      return;
    }
    if (!verdict.allowed) throw refused(limit, verdict.retryAfterMs);
  };

  return {
    /** Sets (or with `undefined` clears) a limit that wins over the key's own. */
    setLimit(key: string, requestsPerMinute: number | undefined) {
      if (requestsPerMinute === undefined) overrides.delete(key);
      else overrides.set(key, requestsPerMinute);
      buckets.delete(key);
    },
    limits(): Record<string, number> {
      return Object.fromEntries(overrides);
    },
    /**
     * Takes one request of `key`'s limit; throws (or, counting in the shared state, rejects with)
     * `HttpError` 429 and a `Retry-After` when it is over. Returns `undefined` when the answer is
     * known at once (no limit, or local counting), so the common path never waits on a promise.
     */
    take(key: string, requestsPerMinute: number | undefined): Promise<void> | undefined {
      const limit = overrides.get(key) ?? requestsPerMinute;
      if (limit === undefined || limit <= 0) return undefined;
      if (sharedState?.isAvailable()) return takeShared(sharedState, key, limit);
      takeLocal(key, limit);
      return undefined;
    },
  };
}

/** The limiter {@link createRateLimiter} returns. */
export type RateLimiter = ReturnType<typeof createRateLimiter>;
