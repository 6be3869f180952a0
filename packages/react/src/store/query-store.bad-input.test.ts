import { ConfigError } from '@ballast/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VisibilitySource } from './document-visibility';
import { createQueryStore } from './query-store';

const visible: VisibilitySource = { isVisible: () => true, subscribe: () => () => {} };

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('createQueryStore: intervalMs', () => {
  // Before: NaN made every delay NaN, which timers read as 0, and Infinity or anything above
  // 2^31 - 1 ms overflows to about 1 ms: each answer scheduled the next load at once, a request storm.
  it.each([Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, -1000, '30000', 1.5e308])(
    'refuses %s with a ConfigError instead of polling in a tight loop',
    (intervalMs) => {
      expect(() =>
        createQueryStore({ load: async () => 1, intervalMs: intervalMs as number, visibility: visible }),
      ).toThrow(ConfigError);
    },
  );

  it('a NaN interval never got as far as loading over and over', async () => {
    let loads = 0;
    try {
      const store = createQueryStore({
        load: async () => ++loads,
        intervalMs: Number.NaN,
        visibility: visible,
      });
      store.subscribe(() => {});
      await vi.advanceTimersByTimeAsync(50);
    } catch {
      // refused up front
    }
    expect(loads).toBeLessThanOrEqual(1);
  });

  it('0, absent and an ordinary interval are accepted', () => {
    expect(() => createQueryStore({ load: async () => 1, visibility: visible })).not.toThrow();
    for (const intervalMs of [0, 30_000, 2 ** 31 - 1]) {
      expect(() => createQueryStore({ load: async () => 1, intervalMs, visibility: visible })).not.toThrow();
    }
  });
});
