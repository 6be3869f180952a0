/**
 * The balancer's stream iterator (`BalancedStream`): what a consumer sees and what the balancer
 * books, for every way a stream ends. In-process models only; gates the test opens by hand decide
 * the order of events, never the clock.
 */
import {
  AbortedError,
  ApiCallError,
  type ChatChunk,
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  createUsage,
} from '@ballast/core';
import { describe, expect, it, vi } from 'vitest';
import { createBalancer } from './balancer';
import { fakeModel, gate, serverError } from './fake-chat-model.test-helper';
import { routeOfError } from './route';

const ask: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }], maxTokens: 16 };
const noEnv = {};
/** Circuits that never open on error rate, so every fault is failed over or surfaced. */
const patientBreaker = { minimumRequests: 1_000_000 };

const finishResult = (modelId: string): ChatResult => ({
  text: 'ab',
  toolCalls: [],
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: createUsage({ inputTokens: 1, outputTokens: 2 }),
  costUsd: 0.000_01,
  latencyMs: 0,
  provider: 'fake',
  modelId,
  raw: undefined,
});

/**
 * A model streaming `a`, `b`, then finish, whose upstream only closes when `closed` resolves;
 * `upstream.closes` counts the closes (a `return()` of the upstream, or its end).
 */
function gatedModel(closed: Promise<void>, modelId = 'gated') {
  const upstream = { opened: 0, closes: 0 };
  const model: ChatModel = {
    provider: 'fake',
    modelId,
    capabilities: { tools: true, vision: false, jsonMode: true, jsonSchema: true, streaming: true },
    chat: async () => finishResult(modelId),
    async *stream(): AsyncGenerator<ChatChunk> {
      upstream.opened++;
      try {
        yield { type: 'text-delta', text: 'a' };
        yield { type: 'text-delta', text: 'b' };
        yield { type: 'finish', result: finishResult(modelId) };
      } finally {
        await closed;
        upstream.closes++;
      }
    },
  };
  return { model, upstream };
}

describe('BalancedStream', () => {
  it('streams every chunk in order, then books the call once and frees the slot', async () => {
    const balancer = createBalancer(
      { targets: [{ id: 's', model: fakeModel('s', () => ({ chunks: 3 })) }] },
      noEnv,
    );
    const chunks: string[] = [];
    let finish: ChatResult | undefined;
    for await (const chunk of balancer.stream(ask)) {
      if (chunk.type === 'text-delta') chunks.push(chunk.text);
      if (chunk.type === 'finish') finish = chunk.result;
    }
    expect(chunks).toEqual(['ok0', 'ok1', 'ok2']);
    expect(finish).toMatchObject({ text: 'ok', route: { target: 's' } });
    expect(finish?.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    const snapshot = balancer.snapshot();
    expect(snapshot.calls).toMatchObject({ requests: 1, successes: 1, failures: 0 });
    expect(snapshot.calls.timeToFirstTokenMs).toBeDefined();
    await vi.waitFor(() => expect(balancer.health()[0]?.inFlight).toBe(0), { timeout: 10_000 });
  });

  it('a consumer that breaks out is counted as cancelled, once, and nothing more is read', async () => {
    const closed = gate();
    closed.open();
    const { model, upstream } = gatedModel(closed.until);
    const balancer = createBalancer({ targets: [{ id: 's', model }] }, noEnv);
    for (let call = 0; call < 3; call++) {
      for await (const chunk of balancer.stream(ask)) {
        expect(chunk).toEqual({ type: 'text-delta', text: 'a' });
        break;
      }
    }
    const snapshot = balancer.snapshot();
    expect(snapshot.calls).toMatchObject({ requests: 3, successes: 0, failures: 3 });
    expect(snapshot.calls.failuresByCode).toEqual({ cancelled: 3 });
    expect(snapshot.targets.s?.failuresByCode).toEqual({ cancelled: 3 });
    await vi.waitFor(() => expect(upstream.closes).toBe(3), { timeout: 10_000 });
  });

  it('an error before the first chunk fails over to the next target', async () => {
    const broken = fakeModel('broken', () => ({ error: serverError() }));
    const cut = fakeModel('cut', () => ({ chunks: 2, failAfterChunks: 0 }));
    const healthy = fakeModel('healthy', () => ({ text: 'fine', chunks: 1 }));
    const balancer = createBalancer(
      {
        strategy: 'failover',
        circuitBreaker: patientBreaker,
        targets: [
          { id: 'broken', model: broken, priority: 0 },
          { id: 'cut', model: cut, priority: 1 },
          { id: 'healthy', model: healthy, priority: 2 },
        ],
      },
      noEnv,
    );
    const chunks: ChatChunk[] = [];
    for await (const chunk of balancer.stream(ask)) chunks.push(chunk);
    expect(chunks[0]).toEqual({ type: 'text-delta', text: 'fine0' });
    const finish = chunks.at(-1);
    expect(finish?.type).toBe('finish');
    if (finish?.type !== 'finish') return;
    expect(
      (finish.result as ChatResult & { route: { attempts: Array<{ target: string; outcome: string }> } })
        .route.attempts,
    ).toEqual([
      expect.objectContaining({ target: 'broken', outcome: 'server_error' }),
      expect.objectContaining({ target: 'cut', outcome: 'server_error' }),
      expect.objectContaining({ target: 'healthy', outcome: 'success' }),
    ]);
    expect(balancer.snapshot().calls).toMatchObject({ requests: 1, successes: 1 });
  });

  it('an error after the first chunk surfaces as a typed error with the route, and is not failed over', async () => {
    const cut = fakeModel('cut', () => ({ chunks: 3, failAfterChunks: 1 }));
    const healthy = fakeModel('healthy');
    const balancer = createBalancer(
      {
        strategy: 'failover',
        circuitBreaker: patientBreaker,
        targets: [
          { id: 'cut', model: cut, priority: 0 },
          { id: 'healthy', model: healthy, priority: 1 },
        ],
      },
      noEnv,
    );
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of balancer.stream(ask))
        if (chunk.type === 'text-delta') received.push(chunk.text);
    })().catch((caught: unknown) => caught);
    expect(received).toEqual(['ok0']);
    expect(ApiCallError.isInstance(error) && error.code).toBe('server_error');
    expect(routeOfError(error)?.attempts.map((attempt) => attempt.target)).toEqual(['cut']);
    expect(healthy.calls).toBe(0);
    expect(balancer.snapshot().calls.failuresByCode).toEqual({ server_error: 1 });
    await vi.waitFor(() => expect(balancer.health()[0]?.inFlight).toBe(0), { timeout: 10_000 });
  });

  it("the caller's abort, while the consumer holds a chunk, closes the stream and the next read throws", async () => {
    const closed = gate();
    closed.open();
    const { model, upstream } = gatedModel(closed.until);
    const balancer = createBalancer({ targets: [{ id: 's', model }] }, noEnv);
    const controller = new AbortController();
    const iterator = balancer.stream(ask, { signal: controller.signal })[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ type: 'text-delta', text: 'a' });
    controller.abort();
    // Booked by the abort itself (the call is armed a tick after it started), not by a read.
    await vi.waitFor(() => expect(balancer.snapshot().calls.failuresByCode).toEqual({ aborted: 1 }), {
      timeout: 10_000,
    });
    const late = await iterator.next().catch((caught: unknown) => caught);
    expect(AbortedError.isInstance(late)).toBe(true);
    expect(routeOfError(late)?.target).toBe('s');
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    await vi.waitFor(() => expect(upstream.closes).toBe(1), { timeout: 10_000 });
    expect(balancer.snapshot().calls).toMatchObject({ requests: 1, failures: 1 });
  });

  it('return() is idempotent, books once, and return() before the first read starts nothing', async () => {
    const closed = gate();
    closed.open();
    const { model, upstream } = gatedModel(closed.until);
    const balancer = createBalancer({ targets: [{ id: 's', model }] }, noEnv);

    const unread = balancer.stream(ask)[Symbol.asyncIterator]();
    expect(await unread.return?.()).toEqual({ done: true, value: undefined });
    expect(await unread.next()).toEqual({ done: true, value: undefined });
    expect(upstream.opened).toBe(0);

    const iterator = balancer.stream(ask)[Symbol.asyncIterator]();
    await iterator.next();
    const [first, second] = await Promise.all([iterator.return?.(), iterator.return?.()]);
    expect(first).toEqual({ done: true, value: undefined });
    expect(second).toEqual({ done: true, value: undefined });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(balancer.snapshot().calls).toMatchObject({
      requests: 1,
      failures: 1,
      failuresByCode: { cancelled: 1 },
    });
    await vi.waitFor(() => expect(upstream.closes).toBe(1), { timeout: 10_000 });
  });

  it("throw() is the consumer's own stop: booked as cancelled, not against the target, and rethrown", async () => {
    const closed = gate();
    closed.open();
    const { model, upstream } = gatedModel(closed.until);
    const balancer = createBalancer({ targets: [{ id: 's', model }] }, noEnv);
    const iterator = balancer.stream(ask)[Symbol.asyncIterator]();
    await iterator.next();
    const mine = new Error('the consumer gave up');
    expect(await iterator.throw?.(mine).catch((caught: unknown) => caught)).toBe(mine);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(balancer.snapshot().calls.failuresByCode).toEqual({ cancelled: 1 });
    expect(balancer.health()[0]).toMatchObject({ state: 'closed', failureRate: 0 });
    await vi.waitFor(() => expect(upstream.closes).toBe(1), { timeout: 10_000 });
  });

  it('frees the concurrency slot only once the upstream stream has closed, however the stream ended', async () => {
    const closed = gate();
    const { model, upstream } = gatedModel(closed.until);
    const balancer = createBalancer({ targets: [{ id: 's', model, maxConcurrent: 2 }] }, noEnv);

    // One stream read to its end, one given up after its first chunk.
    const whole: string[] = [];
    for await (const chunk of balancer.stream(ask)) whole.push(chunk.type);
    expect(whole).toEqual(['text-delta', 'text-delta', 'finish']);
    for await (const _chunk of balancer.stream(ask)) break;
    expect(balancer.snapshot().calls).toMatchObject({ requests: 2, successes: 1, failures: 1 });
    // Both upstreams are still closing: both slots stay taken.
    expect(balancer.health()[0]?.inFlight).toBe(2);
    expect(upstream.closes).toBe(0);
    closed.open();
    await vi.waitFor(() => expect(balancer.health()[0]?.inFlight).toBe(0), { timeout: 10_000 });
    expect(upstream.closes).toBe(2);
  });

  it('requests that overlap are answered in order, as a generator answers them', async () => {
    const closed = gate();
    closed.open();
    const { model } = gatedModel(closed.until);
    const balancer = createBalancer({ targets: [{ id: 's', model }] }, noEnv);
    const iterator = balancer.stream(ask)[Symbol.asyncIterator]();
    const results = await Promise.all([iterator.next(), iterator.next(), iterator.next(), iterator.next()]);
    expect(results.map((result) => (result.done ? 'done' : result.value.type))).toEqual([
      'text-delta',
      'text-delta',
      'finish',
      'done',
    ]);
    expect(balancer.snapshot().calls).toMatchObject({ requests: 1, successes: 1 });
  });
});
