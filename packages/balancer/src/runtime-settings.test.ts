import {
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  createUsage,
  ValidationError,
} from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { createBalancer } from './balancer';
import { fakeModel } from './fake-chat-model.test-helper';
import type { Route } from './route';

const request: ChatRequest = { messages: [{ role: 'user', content: 'hi' }] };

/** A model whose calls wait until the test opens them, one by one: no timers, no races. */
function gatedModel(modelId: string) {
  const waiting: Array<() => void> = [];
  let started = 0;
  const result: ChatResult = {
    text: modelId,
    toolCalls: [],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: createUsage({ inputTokens: 1, outputTokens: 1 }),
    costUsd: 0,
    latencyMs: 0,
    provider: 'gated',
    modelId,
    raw: undefined,
  };
  const model: ChatModel = {
    provider: 'gated',
    modelId,
    capabilities: { tools: false, vision: false, jsonMode: false, jsonSchema: false, streaming: false },
    chat: () =>
      new Promise<ChatResult>((resolve) => {
        started++;
        waiting.push(() => resolve(result));
      }),
    stream: () => {
      throw new Error('not used');
    },
  };
  return {
    model,
    get started() {
      return started;
    },
    get waiting() {
      return waiting.length;
    },
    openOne() {
      waiting.shift()?.();
    },
  };
}

/** Resolves once `condition()` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('configureTarget: settings change while the balancer runs', () => {
  it('a new priority re-routes the next call and keeps metrics and health', async () => {
    const balancer = createBalancer({
      strategy: 'failover',
      targets: [
        { id: 'a', model: fakeModel('a'), priority: 0 },
        { id: 'b', model: fakeModel('b'), priority: 1 },
      ],
    });
    expect((await balancer.chat(request)).route.target).toBe('a');
    balancer.configureTarget('a', { priority: 5 });
    expect((await balancer.chat(request)).route.target).toBe('b');
    expect(balancer.snapshot().targets.a?.requests).toBe(1);
    expect(balancer.health().find((target) => target.target === 'a')).toMatchObject({
      priority: 5,
      weight: 1,
    });
  });

  it('lowering maxConcurrent never interrupts a call; raising it lets queued calls in at once', async () => {
    const gated = gatedModel('g');
    const balancer = createBalancer({ targets: [{ id: 'g', model: gated.model, maxConcurrent: 2 }] });
    const calls = [balancer.chat(request), balancer.chat(request), balancer.chat(request)];
    await until(() => gated.started === 2);
    balancer.configureTarget('g', { maxConcurrent: 1 });
    // Both calls in flight carry on; the third still waits, and keeps waiting after one finishes
    // because one in flight is now the cap.
    gated.openOne();
    await until(() => gated.waiting === 1);
    expect(gated.started).toBe(2);
    balancer.configureTarget('g', { maxConcurrent: 3 });
    await until(() => gated.started === 3);
    gated.openOne();
    gated.openOne();
    await Promise.all(calls);
    expect(balancer.health()[0]?.maxConcurrent).toBe(3);
    balancer.configureTarget('g', { maxConcurrent: null });
    expect(balancer.health()[0]?.maxConcurrent).toBeUndefined();
  });

  it('refuses an unknown target or invalid settings with a ValidationError and changes nothing', () => {
    const balancer = createBalancer({ targets: [{ id: 'a', model: fakeModel('a'), weight: 2 }] });
    expect(() => balancer.configureTarget('nope', { weight: 1 })).toThrow(ValidationError);
    for (const settings of [
      { weight: -1 },
      { weight: Number.NaN },
      { maxConcurrent: 0 },
      { maxConcurrent: 1.5 },
      { priority: Number.POSITIVE_INFINITY },
      { weight: 1, surprise: true },
    ]) {
      expect(() => balancer.configureTarget('a', settings as never)).toThrow(ValidationError);
    }
    expect(balancer.health()[0]).toMatchObject({ weight: 2, priority: 0, maxConcurrent: undefined });
  });

  it('emits target-configured with the settings now in force', () => {
    const balancer = createBalancer({ targets: [{ id: 'a', model: fakeModel('a') }] });
    const seen: unknown[] = [];
    balancer.on('target-configured', (event) => seen.push(event));
    balancer.configureTarget('a', { weight: 3, maxConcurrent: 4 });
    expect(seen).toEqual([{ target: 'a', weight: 3, priority: 0, maxConcurrent: 4 }]);
  });
});

describe('acquire: load the host runs itself', () => {
  it('counts against the target, steers routing away at the cap, and records on release', async () => {
    const balancer = createBalancer({
      strategy: 'failover',
      targets: [
        { id: 'a', model: fakeModel('a'), priority: 0, maxConcurrent: 1 },
        { id: 'b', model: fakeModel('b'), priority: 1 },
      ],
    });
    const lease = balancer.acquire('a');
    expect(balancer.health().find((target) => target.target === 'a')?.inFlight).toBe(1);
    expect((await balancer.chat(request)).route.target).toBe('b');
    lease.release({ outcome: 'success', latencyMs: 40 });
    lease.release({ outcome: 'failure', latencyMs: 1, errorCode: 'api_error' }); // ignored
    expect(balancer.health().find((target) => target.target === 'a')?.inFlight).toBe(0);
    expect(balancer.snapshot().targets.a).toMatchObject({ requests: 1, successes: 1, failures: 0 });
    expect((await balancer.chat(request)).route.target).toBe('a');
  });

  it('counts a call already happening even past the cap', () => {
    const balancer = createBalancer({ targets: [{ id: 'a', model: fakeModel('a'), maxConcurrent: 1 }] });
    const leases = [balancer.acquire('a'), balancer.acquire('a')];
    expect(balancer.health()[0]?.inFlight).toBe(2);
    for (const lease of leases) lease.release();
    expect(balancer.health()[0]?.inFlight).toBe(0);
  });

  it('refuses an unknown target', () => {
    const balancer = createBalancer({ targets: [{ id: 'a', model: fakeModel('a') }] });
    expect(() => balancer.acquire('nope')).toThrow(ValidationError);
  });
});

describe('onRoute: the serving target, as soon as it is known', () => {
  it('chat: once, with the committed target', async () => {
    const balancer = createBalancer({ targets: [{ id: 'a', model: fakeModel('a') }] });
    const routes: Route[] = [];
    const result = await balancer.chat(request, { onRoute: (route) => routes.push(route) });
    expect(routes).toHaveLength(1);
    expect(routes[0]?.target).toBe('a');
    expect(routes[0]).toBe(result.route);
  });

  it('stream: before the first chunk, after a failover', async () => {
    const failing = fakeModel('down', () => ({ error: new Error('refused') }));
    const balancer = createBalancer({
      strategy: 'failover',
      targets: [
        { id: 'down', model: failing, priority: 0 },
        { id: 'up', model: fakeModel('up'), priority: 1 },
      ],
    });
    const order: string[] = [];
    for await (const chunk of balancer.stream(request, {
      onRoute: (route) => order.push(`route:${route.target}`),
    }))
      order.push(chunk.type);
    expect(order[0]).toBe('route:up');
    expect(order.slice(1)).toContain('text-delta');
    expect(order.filter((entry) => entry.startsWith('route:'))).toHaveLength(1);
  });

  it('is not called when the call fails', async () => {
    const balancer = createBalancer({
      targets: [{ id: 'a', model: fakeModel('a', () => ({ error: new Error('refused') })) }],
    });
    let called = false;
    await expect(balancer.chat(request, { onRoute: () => (called = true) })).rejects.toThrow();
    expect(called).toBe(false);
  });
});

describe('metrics: mean latency beside the quantiles', () => {
  it('is the exact mean of the recorded latencies and TTFTs', () => {
    const balancer = createBalancer({ targets: [{ id: 'a', model: fakeModel('a') }] });
    for (const latencyMs of [100, 200, 600])
      balancer.record({ targetId: 'a', outcome: 'success', latencyMs, ttftMs: latencyMs / 10 });
    const metrics = balancer.snapshot().targets.a;
    expect(metrics?.latencyMs?.mean).toBeCloseTo(300, 9);
    expect(metrics?.timeToFirstTokenMs?.mean).toBeCloseTo(30, 9);
  });
});
