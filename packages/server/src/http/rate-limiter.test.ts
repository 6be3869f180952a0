import type { SharedState } from '@ballast/core';
import {
  createInMemorySharedState,
  createInMemorySharedStateHub,
  createRedisSharedState,
} from '@ballast/store';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from './http-error';
import { createRateLimiter, type RateLimiter } from './rate-limiter';

// Per-key limits alone (token buckets) and counted across replicas through a SharedState (issue 14).
// The Redis path with three gateway processes' worth of replicas is in
// ../gateway/shared-rate-limits.test.ts.

const states: SharedState[] = [];
afterEach(async () => {
  for (const state of states.splice(0)) await state.close();
});

/** Takes one request; resolves the status it would answer (200, or the HttpError's). */
async function status(limiter: RateLimiter, key: string, limit: number | undefined): Promise<number> {
  try {
    await limiter.take(key, limit);
    return 200;
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
}

function sharedPair(): [RateLimiter, RateLimiter] {
  const hub = createInMemorySharedStateHub();
  const pair = [0, 1].map(() => {
    const state = createInMemorySharedState({ hub });
    states.push(state);
    return createRateLimiter({ sharedState: state, scope: 'gw' });
  });
  return pair as [RateLimiter, RateLimiter];
}

describe('createRateLimiter', () => {
  it('alone, refuses a key past its bucket with 429 and Retry-After, and answers without a promise', () => {
    let now = 0;
    const limiter = createRateLimiter({ now: () => now });
    expect(limiter.take('ci', 2)).toBeUndefined();
    expect(limiter.take('ci', 2)).toBeUndefined();
    let refused: unknown;
    try {
      limiter.take('ci', 2);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).status).toBe(429);
    expect((refused as HttpError).headers['retry-after']).toBe('30');
    now += 30_000; // half a minute refills one of two tokens
    expect(limiter.take('ci', 2)).toBeUndefined();
    expect(limiter.take('other', undefined)).toBeUndefined();
  });

  it('with a shared state, two replicas allow a key its limit in total', async () => {
    const [first, second] = sharedPair();
    const statuses = [];
    for (let index = 0; index < 12; index++)
      statuses.push(await status(index % 2 === 0 ? first : second, 'ci', 5));
    expect(statuses.filter((code) => code === 200)).toHaveLength(5);
    expect(statuses.filter((code) => code === 429)).toHaveLength(7);
    // Another key has its own window.
    expect(await status(second, 'admin', 5)).toBe(200);
  });

  it('with a shared state, a refusal carries the shared window’s Retry-After', async () => {
    const [first] = sharedPair();
    await first.take('ci', 1);
    const refused = await Promise.resolve(first.take('ci', 1)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpError);
    const retryAfter = Number((refused as HttpError).headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('applies setLimit overrides to the shared count', async () => {
    const [first, second] = sharedPair();
    first.setLimit('ci', 1);
    second.setLimit('ci', 1);
    expect(await status(first, 'ci', 100)).toBe(200);
    expect(await status(second, 'ci', 100)).toBe(429);
  });

  it('falls back to the local bucket at once while the shared state is unreachable', async () => {
    // A real Redis client aimed at a port that refuses connections: never available.
    const state = createRedisSharedState({ url: 'redis://127.0.0.1:1', keyPrefix: 'unreachable' });
    states.push(state);
    const limiter = createRateLimiter({ sharedState: state, now: () => 0 });
    expect(limiter.take('ci', 2)).toBeUndefined();
    expect(limiter.take('ci', 2)).toBeUndefined();
    expect(() => limiter.take('ci', 2)).toThrow(HttpError);
  });

  it('falls back to the local bucket when a shared count fails', async () => {
    const inner = createInMemorySharedState({ hub: createInMemorySharedStateHub() });
    states.push(inner);
    const failing: SharedState = {
      ...inner,
      consumeRate: () => Promise.reject(new Error('command timed out')),
    };
    const limiter = createRateLimiter({ sharedState: failing, now: () => 0 });
    expect(await status(limiter, 'ci', 2)).toBe(200);
    expect(await status(limiter, 'ci', 2)).toBe(200);
    expect(await status(limiter, 'ci', 2)).toBe(429);
  });
});
