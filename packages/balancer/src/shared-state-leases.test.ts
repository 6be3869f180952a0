import { randomUUID } from 'node:crypto';
import type { SharedState } from '@ballast/core';
import {
  createInMemorySharedState,
  createInMemorySharedStateHub,
  createRedisSharedState,
} from '@ballast/store';
import { redisForTests } from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type Balancer, createBalancer } from './balancer';
import { type FakeChatModel, fakeModel } from './fake-chat-model.test-helper';

// Issue 14: hedged legs and host-held `acquire()` leases count against a target's concurrency cap
// shared by every replica, like normal calls, and give their lease back exactly once. Each case runs
// on the in-memory hub and on real Redis (two balancers, two handles, one shared key space).

const redis = await redisForTests();
const noEnv = {};
const request = { messages: [{ role: 'user' as const, content: 'hi' }] };

/** A SharedState that counts how often each lease was taken and given back (the real one inside). */
interface CountingState extends SharedState {
  acquired: string[];
  releases: Map<string, number>;
}

function counting(inner: SharedState): CountingState {
  const acquired: string[] = [];
  const releases = new Map<string, number>();
  return {
    ...inner,
    acquired,
    releases,
    async acquireSlot(scope: string, limit: number, leaseMs: number) {
      const lease = await inner.acquireSlot(scope, limit, leaseMs);
      if (lease !== undefined) acquired.push(lease);
      return lease;
    },
    async releaseSlot(scope: string, leaseId: string) {
      releases.set(leaseId, (releases.get(leaseId) ?? 0) + 1);
      await inner.releaseSlot(scope, leaseId);
    },
  };
}

interface Backend {
  name: string;
  skip: string | undefined;
  /** Two handles on one shared state (two replicas). */
  pair(): Promise<[SharedState, SharedState]>;
}

const backends: Backend[] = [
  {
    name: 'in-memory hub',
    skip: undefined,
    async pair() {
      const hub = createInMemorySharedStateHub();
      const states = [createInMemorySharedState({ hub }), createInMemorySharedState({ hub })];
      handles.push(...states);
      return states as [SharedState, SharedState];
    },
  },
  {
    name: 'Redis',
    skip: redis.skip,
    async pair() {
      if (redis.skip !== undefined) throw new Error(redis.skip);
      const keyPrefix = `ballast-test:leases:${randomUUID().slice(0, 8)}`;
      // Generous command timeout: a slow reply at load must not look like an outage.
      const open = () => createRedisSharedState({ url: redis.url, keyPrefix, commandTimeoutMs: 60_000 });
      const states = [open(), open()] as const;
      handles.push(...states);
      for (const state of states) expect(await state.ready(10_000)).toBe(true);
      return [...states];
    },
  },
];

const opened: Array<{ balancer: Balancer; state: SharedState }> = [];
const handles: SharedState[] = [];
afterEach(async () => {
  for (const { balancer } of opened.splice(0)) balancer.dispose();
  for (const state of handles.splice(0)) await state.close();
});

async function untilTrue(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe.each(backends)('shared leases of hedges and acquire() on $name', (backend) => {
  const maybe = it.skipIf(backend.skip !== undefined);

  function hedgingReplica(state: SharedState, slow: FakeChatModel, quick: FakeChatModel): Balancer {
    const balancer = createBalancer(
      {
        name: 'chat',
        strategy: 'failover',
        hedgeAfterMs: 1,
        targets: [
          { id: 'slow', model: slow },
          { id: 'quick', model: quick, priority: 1, maxConcurrent: 2 },
        ],
        retry: { maxAttempts: 1 },
        queueTimeoutMs: 120_000,
        maxQueue: 1_000,
        circuitBreaker: { minimumRequests: 10_000, cooldownMs: 600_000 },
        sharedState: { state },
      },
      noEnv,
    );
    opened.push({ balancer, state });
    return balancer;
  }

  maybe(
    'hedged legs of two replicas never exceed the shared cap, and each lease is released once',
    {
      timeout: 120_000,
    },
    async () => {
      const states = (await backend.pair()).map(counting);
      // The primary answers only after its hedge settled or was refused, so hedges overlap each other.
      const slow = fakeModel('slow', () => ({ delayMs: 400, text: 'slow' }));
      const quick = fakeModel('quick', () => ({ delayMs: 40, text: 'quick' }));
      const replicas = states.map((state) => hedgingReplica(state, slow, quick));
      let hedges = 0;
      for (const replica of replicas) replica.on('hedge', () => hedges++);
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, index) => (replicas[index % 2] as Balancer).chat(request)),
      );
      expect(results).toHaveLength(24);
      expect(hedges).toBeGreaterThan(0);
      // Two replicas with a local cap of 2 each could run 4 hedges at once without the shared lease.
      expect(quick.maxActive).toBeLessThanOrEqual(2);
      await untilTrue(async () => (await (states[0] as CountingState).slotsInFlight('chat:quick')) === 0);
      // Only hedged legs take a lease of `quick` (the primary is always `slow`): one per hedge.
      expect(states.reduce((total, state) => total + state.acquired.length, 0)).toBe(hedges);
      for (const state of states)
        for (const lease of state.acquired) expect(state.releases.get(lease)).toBe(1);
    },
  );

  maybe('an aborted hedged call gives its shared lease back', { timeout: 60_000 }, async () => {
    const [state] = (await backend.pair()).map(counting) as [CountingState, CountingState];
    const slow = fakeModel('slow', () => ({ delayMs: 60_000, text: 'slow' }));
    const quick = fakeModel('quick', () => ({ delayMs: 60_000, text: 'quick' }));
    const balancer = hedgingReplica(state, slow, quick);
    const controller = new AbortController();
    const hedged = new Promise<void>((resolve) => balancer.once('hedge', () => resolve()));
    const call = balancer.chat(request, { signal: controller.signal });
    await hedged;
    await untilTrue(async () => (await state.slotsInFlight('chat:quick')) === 1);
    controller.abort();
    await expect(call).rejects.toThrow();
    await untilTrue(async () => (await state.slotsInFlight('chat:quick')) === 0);
    expect(state.acquired).toHaveLength(1);
    expect(state.releases.get(state.acquired[0] as string)).toBe(1);
  });

  maybe(
    "a host's acquire() lease on one replica holds a shared slot the other replica respects",
    {
      timeout: 120_000,
    },
    async () => {
      const [holderState, callerState] = (await backend.pair()).map(counting) as [
        CountingState,
        CountingState,
      ];
      const model = fakeModel('m', () => ({ delayMs: 10, text: 'ok' }));
      const replica = (state: SharedState) => {
        const balancer = createBalancer(
          {
            name: 'chat',
            targets: [{ id: 't', model, maxConcurrent: 3 }],
            retry: { maxAttempts: 1 },
            queueTimeoutMs: 120_000,
            maxQueue: 1_000,
            circuitBreaker: { minimumRequests: 10_000, cooldownMs: 600_000 },
            sharedState: { state },
          },
          noEnv,
        );
        opened.push({ balancer, state });
        return balancer;
      };
      const holder = replica(holderState);
      const caller = replica(callerState);
      const leases = [holder.acquire('t'), holder.acquire('t')];
      // The shared lease is taken in the background: wait until both count.
      await untilTrue(async () => (await callerState.slotsInFlight('chat:t')) === 2);
      const results = await Promise.all(Array.from({ length: 12 }, () => caller.chat(request)));
      expect(results).toHaveLength(12);
      // With 2 of 3 shared slots held by the host, the other replica ran one call at a time.
      expect(model.maxActive).toBe(1);
      for (const lease of leases) {
        lease.release();
        lease.release(); // a second release is a no-op
      }
      await untilTrue(async () => (await callerState.slotsInFlight('chat:t')) === 0);
      expect(holderState.acquired).toHaveLength(2);
      for (const lease of holderState.acquired) expect(holderState.releases.get(lease)).toBe(1);
    },
  );

  maybe(
    'an acquire() lease released before its shared lease landed is still given back',
    {
      timeout: 60_000,
    },
    async () => {
      const [state] = (await backend.pair()).map(counting) as [CountingState, CountingState];
      const balancer = createBalancer(
        {
          name: 'chat',
          targets: [{ id: 't', model: fakeModel('m'), maxConcurrent: 1 }],
          sharedState: { state },
        },
        noEnv,
      );
      opened.push({ balancer, state });
      balancer.acquire('t').release();
      await untilTrue(
        () => state.acquired.length === 1 && state.releases.get(state.acquired[0] as string) === 1,
      );
      expect(await state.slotsInFlight('chat:t')).toBe(0);
    },
  );
});
