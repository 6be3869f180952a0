import { ConfigError, type SharedState } from '@ballast/core';
import {
  createInMemorySharedState,
  createInMemorySharedStateHub,
  createRedisSharedState,
} from '@ballast/store';
import { afterEach, describe, expect, it } from 'vitest';
import type { Balancer } from './balancer';
import { createBalancer } from './balancer';
import { type FakeChatModel, fakeModel } from './fake-chat-model.test-helper';

// The `sharedState` option (issue 14): replicas of one balancer share slots and breakers. Here the
// replicas are balancers in one process on one in-memory hub; the Redis path runs the same code
// (packages/server/src/gateway/shared-state-replicas.test.ts runs three gateways on Redis).

const noEnv = {};
const opened: Array<{ balancer: Balancer; state: SharedState }> = [];
afterEach(async () => {
  for (const { balancer, state } of opened.splice(0)) {
    balancer.dispose();
    await state.close();
  }
});

function replica(state: SharedState, model: FakeChatModel, maxConcurrent?: number): Balancer {
  const balancer = createBalancer(
    {
      name: 'chat',
      targets: [{ id: 't', model, ...(maxConcurrent === undefined ? {} : { maxConcurrent }) }],
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

const request = { messages: [{ role: 'user' as const, content: 'hi' }] };

describe('balancer sharedState', () => {
  it('caps the calls of every replica together at maxConcurrent', async () => {
    const hub = createInMemorySharedStateHub();
    const model = fakeModel('m', () => ({ text: 'ok', delayMs: 5 }));
    const replicas = [0, 1, 2].map(() => replica(createInMemorySharedState({ hub }), model, 3));
    const results = await Promise.all(
      Array.from({ length: 45 }, (_, index) => (replicas[index % 3] as Balancer).chat(request)),
    );
    expect(results).toHaveLength(45);
    expect(model.maxActive).toBeGreaterThan(0);
    expect(model.maxActive).toBeLessThanOrEqual(3);
    const state = createInMemorySharedState({ hub });
    expect(await state.slotsInFlight('chat:t')).toBe(0);
  });

  it('opens a breaker on every replica when one opens it, and closes it everywhere after', async () => {
    const hub = createInMemorySharedStateHub();
    const model = fakeModel('m');
    const [first, second] = [
      replica(createInMemorySharedState({ hub }), model),
      replica(createInMemorySharedState({ hub }), model),
    ];
    const opened = new Promise<string>((resolve) =>
      second.once('circuit-open', (event) => resolve(event.reason)),
    );
    first.record({ targetId: 't', outcome: 'failure', errorCode: 'authentication_failed', latencyMs: 1 });
    expect(await opened).toBe('shared');
    expect(second.health()[0]?.state).toBe('open');
    // The adopted open is not echoed back: the stored record is still the first replica's.
    const stored = await createInMemorySharedState({ hub }).readBreakers();
    expect(stored.get('chat:t')?.state).toBe('open');
    const closed = new Promise<void>((resolve) => second.once('circuit-close', () => resolve()));
    first.resetCircuit('t');
    await closed;
    expect(second.health()[0]?.state).toBe('closed');
  });

  it('never fails or hangs a call when the shared state is unreachable (local fallback)', async () => {
    // A real Redis client aimed at a port that refuses connections: every command fails fast.
    const state = createRedisSharedState({ url: 'redis://127.0.0.1:1', keyPrefix: 'unreachable' });
    const model = fakeModel('m', () => ({ text: 'ok', delayMs: 2 }));
    const balancer = replica(state, model, 2);
    const results = await Promise.all(Array.from({ length: 10 }, () => balancer.chat(request)));
    expect(results.map((result) => result.text)).toEqual(Array(10).fill('ok'));
    expect(model.maxActive).toBeLessThanOrEqual(2); // the local cap still holds
    // Breakers keep working locally too.
    balancer.record({ targetId: 't', outcome: 'failure', errorCode: 'authentication_failed', latencyMs: 1 });
    expect(balancer.health()[0]?.state).toBe('open');
  });

  it('still shares an outcome whose reported latency is not a usable number (the latency alone is dropped)', async () => {
    const hub = createInMemorySharedStateHub();
    const inner = createInMemorySharedState({ hub });
    let settled!: (outcome: 'stored' | 'refused') => void;
    const written = new Promise<'stored' | 'refused'>((resolve) => {
      settled = resolve;
    });
    const state: SharedState = Object.assign(Object.create(inner) as SharedState, {
      recordOutcomes: async (...args: Parameters<SharedState['recordOutcomes']>) => {
        try {
          await inner.recordOutcomes(...args);
          settled('stored');
        } catch (error) {
          settled('refused');
          throw error;
        }
      },
    });
    const balancer = replica(state, fakeModel('m'));
    balancer.record({ targetId: 't', outcome: 'success', latencyMs: Number.NaN });
    balancer.record({ targetId: 't', outcome: 'success', latencyMs: -3 });
    balancer.record({ targetId: 't', outcome: 'success', latencyMs: 12 });
    balancer.dispose(); // flushes the buffered outcomes
    expect(await written).toBe('stored');
    const view = await createInMemorySharedState({ hub }).readWindow('chat:t', 60_000);
    expect(view).toEqual({ successes: 3, failures: 0, latenciesMs: [12] });
  });

  it('rejects a sharedState that is not a SharedState with a ConfigError', () => {
    expect(() =>
      createBalancer(
        { targets: [{ model: fakeModel('m') }], sharedState: { state: {} as unknown as SharedState } },
        noEnv,
      ),
    ).toThrow(ConfigError);
  });
});
