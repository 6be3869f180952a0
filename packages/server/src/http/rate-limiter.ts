import { HttpError } from './http-error';

/**
 * Per-key token buckets: `requestsPerMinute` refill per minute, bursts up to `burst` (default the
 * per-minute figure). Memory is one small record per key seen; idle buckets are dropped.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ now: () => Date.now() });
 * limiter.take('ci', 60); // throws HttpError 429 with Retry-After when the bucket is empty
 * ```
 */
export function createRateLimiter(options: { now?: () => number; maxKeys?: number } = {}) {
  const now = options.now ?? (() => Date.now());
  const maxKeys = options.maxKeys ?? 10_000;
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();
  const overrides = new Map<string, number>();
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
    /** Takes one token for `key`; throws 429 when none is left. No limit: always passes. */
    take(key: string, requestsPerMinute: number | undefined): void {
      const limit = overrides.get(key) ?? requestsPerMinute;
      if (limit === undefined || limit <= 0) return;
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
      const waitMs = (1 - bucket.tokens) / perMs;
      throw new HttpError(429, 'rate_limited', `Rate limit of ${limit} requests per minute exceeded`, {
        headers: { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) },
      });
    },
  };
}

/** The limiter {@link createRateLimiter} returns. */
export type RateLimiter = ReturnType<typeof createRateLimiter>;
