import { ConfigError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { createInMemorySharedState, createInMemorySharedStateHub } from './in-memory-shared-state';
import { describeSharedStateContract } from './shared-state.contract.test-helper';

describeSharedStateContract('in memory', async () => {
  const hub = createInMemorySharedStateHub();
  const opened: Array<{ close(): Promise<void> }> = [];
  return {
    async open() {
      const state = createInMemorySharedState({ hub });
      opened.push(state);
      return state;
    },
    async dispose() {
      await Promise.all(opened.map((state) => state.close()));
    },
  };
});

describe('in-memory shared state', () => {
  it('is always available and kind "memory"', () => {
    const state = createInMemorySharedState();
    expect(state.kind).toBe('memory');
    expect(state.isAvailable()).toBe(true);
  });

  it('expires leases by the injected clock', async () => {
    let now = 1_000;
    const hub = createInMemorySharedStateHub();
    const holder = createInMemorySharedState({ hub, now: () => now });
    const other = createInMemorySharedState({ hub, now: () => now });
    await holder.acquireSlot('t', 1, 100);
    await holder.close();
    now += 99;
    expect(await other.acquireSlot('t', 1, 100)).toBeUndefined();
    now += 1;
    expect(await other.acquireSlot('t', 1, 100)).toBeTypeOf('string');
  });

  it('rejects bad window bounds with a typed error', () => {
    expect(() => createInMemorySharedState({ bucketMs: -1 })).toThrow(ConfigError);
  });
});
