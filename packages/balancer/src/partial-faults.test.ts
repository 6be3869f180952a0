/**
 * Issue 9, "the balancer under partial faults": one test (or table) per finding, each of which
 * failed before its fix. No test asserts wall-clock timings: fake clocks, fake timers, gates the
 * test opens by hand, and event order decide every outcome.
 */
import {
  AbortedError,
  type CallOptions,
  type ChatChunk,
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  ConfigError,
  createUsage,
  NoHealthyTargetError,
  TimeoutError,
} from '@ballast/core';
import { createGroq } from '@ballast/groq';
import { createOpenAI } from '@ballast/openai';
import { type FakeLlmServer, startFakeGroq, startFakeOpenAI } from '@ballast/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBalancer } from './balancer';
import { defaultTimeouts } from './balancer-config';
import { fakeModel, gate, manualClock, rateLimited, serverError } from './fake-chat-model.test-helper';

const ask: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }], maxTokens: 16 };
const noEnv = {};
/** Circuits that never open on error rate, so fault paths stay in play. */
const patientBreaker = { minimumRequests: 1_000_000 };

const okResult = (modelId: string): ChatResult => ({
  text: 'ok',
  toolCalls: [],
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: createUsage({ inputTokens: 1, outputTokens: 1 }),
  costUsd: 0,
  latencyMs: 0,
  provider: 'fake',
  modelId,
  raw: undefined,
});

describe('1. failing over to an untried target is never refused by the retry budget', () => {
  it('reaches the healthy target on every call while the flaky ones drain the budget', async () => {
    const clock = manualClock(); // no time passes: the budget earns nothing from the clock
    for (const strategy of ['round-robin', 'random', 'least-busy'] as const) {
      const balancer = createBalancer(
        {
          now: clock.now,
          strategy,
          random: () => 0.01,
          targets: [
            { id: 'flaky-a', model: fakeModel('a', () => ({ error: serverError() })) },
            { id: 'flaky-b', model: fakeModel('b', () => ({ error: serverError() })) },
            { id: 'steady', model: fakeModel('steady') },
          ],
          circuitBreaker: patientBreaker,
          retry: { baseDelayMs: 0, maxDelayMs: 0 },
        },
        noEnv,
      );
      const targets: string[] = [];
      for (let call = 0; call < 60; call++) targets.push((await balancer.chat(ask)).route.target);
      expect(
        targets.every((target) => target === 'steady'),
        strategy,
      ).toBe(true);
    }
  });

  it('still refuses re-tries of a target the call already tried once the budget is spent', async () => {
    const clock = manualClock();
    const model = fakeModel('only', () => ({ error: serverError() }));
    const balancer = createBalancer(
      {
        now: clock.now,
        targets: [{ model }],
        circuitBreaker: patientBreaker,
        retry: { baseDelayMs: 0, maxDelayMs: 0, budget: { ratio: 0, minPerSecond: 1, maxTokens: 1 } },
      },
      noEnv,
    );
    const outcomes = async () => {
      const error = await balancer.chat(ask).catch((caught: unknown) => caught);
      return (error as NoHealthyTargetError).attempts.map((attempt) => attempt.outcome);
    };
    expect(await outcomes()).toEqual(['server_error', 'server_error', 'retry_budget_exhausted']);
    expect(await outcomes()).toEqual(['server_error', 'retry_budget_exhausted']);
  });
});

describe('over loopback HTTP', () => {
  let openaiFake: FakeLlmServer;
  let groqFake: FakeLlmServer;
  beforeAll(async () => {
    openaiFake = await startFakeOpenAI();
    groqFake = await startFakeGroq();
  });
  afterAll(async () => {
    await openaiFake.close();
    await groqFake.close();
  });
  afterEach(async () => {
    openaiFake.setResponder(() => ({ text: 'from openai' }));
    groqFake.setResponder(() => ({ text: 'from groq' }));
    await Promise.all([openaiFake.whenIdle(), groqFake.whenIdle()]);
    openaiFake.resetMaxInFlight();
    groqFake.resetMaxInFlight();
  });

  it('2. maxConcurrent holds at the upstream: an aborted call keeps its slot until its request settles', async () => {
    const held = gate();
    openaiFake.setResponder(() => ({ fault: { type: 'hold', until: held.until } }));
    openaiFake.resetMaxInFlight();
    // A model whose request outlives its caller's abort (an SDK that does not cancel, or is slow
    // to): the balancer sees its promise settle only when the server has answered.
    const stubborn: ChatModel = {
      provider: 'stubborn',
      modelId: 'm',
      capabilities: { tools: true, vision: false, jsonMode: true, jsonSchema: true, streaming: true },
      async chat() {
        const response = await fetch(`${openaiFake.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
          body: JSON.stringify({ model: 'm', messages: [] }),
        });
        await response.text();
        return okResult('m');
      },
      stream: () => {
        throw new Error('not used');
      },
    };
    const balancer = createBalancer(
      { targets: [{ id: 'stubborn', model: stubborn, maxConcurrent: 4 }], queueTimeoutMs: 60_000 },
      noEnv,
    );
    const controllers = Array.from({ length: 4 }, () => new AbortController());
    const first = controllers.map((controller) =>
      balancer.chat(ask, { signal: controller.signal }).catch((error: unknown) => error),
    );
    await vi.waitFor(() => expect(openaiFake.inFlight).toBe(4), { timeout: 10_000 });
    for (const controller of controllers) controller.abort();
    for (const error of await Promise.all(first)) expect(AbortedError.isInstance(error)).toBe(true);
    const second = Array.from({ length: 4 }, () => balancer.chat(ask));
    // The aborted calls' requests are still open at the server: the new calls must queue.
    await vi.waitFor(() => expect(balancer.health()[0]).toMatchObject({ inFlight: 4, queued: 4 }), {
      timeout: 10_000,
    });
    expect(openaiFake.inFlight).toBe(4);
    held.open();
    expect((await Promise.all(second)).map((result) => result.text)).toEqual(['ok', 'ok', 'ok', 'ok']);
    await openaiFake.whenIdle();
    expect(openaiFake.maxInFlight).toBe(4);
    expect(openaiFake.requestsReceived).toBeGreaterThanOrEqual(8);
    expect(balancer.health()[0]).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('2. with the real adapter, an aborted call closes its upstream request and frees the slot', async () => {
    openaiFake.setResponder(() => ({ fault: { type: 'hang' } }));
    const closedBefore = openaiFake.closedByClient;
    const balancer = createBalancer(
      {
        targets: [
          {
            id: 'openai',
            model: createOpenAI({ apiKey: 'sk', baseURL: `${openaiFake.url}/v1`, maxRetries: 0 }).chatModel(
              'gpt-4o-mini',
            ),
            maxConcurrent: 2,
          },
        ],
      },
      noEnv,
    );
    const controller = new AbortController();
    const calls = [1, 2].map(() =>
      balancer.chat(ask, { signal: controller.signal }).catch((e: unknown) => e),
    );
    await vi.waitFor(() => expect(openaiFake.inFlight).toBe(2), { timeout: 10_000 });
    controller.abort();
    for (const error of await Promise.all(calls)) expect(AbortedError.isInstance(error)).toBe(true);
    await openaiFake.whenIdle();
    expect(openaiFake.closedByClient - closedBefore).toBe(2);
    await vi.waitFor(() => expect(balancer.health()[0]?.inFlight).toBe(0), { timeout: 10_000 });
  });

  it('6. a hung upstream fails over to the healthy target within the attempt timeout', async () => {
    openaiFake.setResponder(() => ({ fault: { type: 'hang' } }));
    const closedBefore = openaiFake.closedByClient;
    const balancer = createBalancer(
      {
        strategy: 'failover',
        // Generous: the healthy leg must finish within it too, however loaded the machine.
        attemptTimeoutMs: 2_000,
        targets: [
          {
            id: 'openai',
            model: createOpenAI({ apiKey: 'sk', baseURL: `${openaiFake.url}/v1`, maxRetries: 0 }).chatModel(
              'gpt-4o-mini',
            ),
          },
          {
            id: 'groq',
            model: createGroq({ apiKey: 'test-groq-key-not-real', baseURL: groqFake.url }).chatModel(
              'llama-3.1-8b-instant',
            ),
            priority: 1,
          },
        ],
      },
      noEnv,
    );
    const result = await balancer.chat(ask);
    expect(result.text).toBe('from groq');
    expect(result.route.attempts.map((attempt) => `${attempt.target}:${attempt.outcome}`)).toEqual([
      'openai:timeout',
      'groq:success',
    ]);
    // The timed-out request was closed at the upstream, not left hanging.
    await openaiFake.whenIdle();
    expect(openaiFake.closedByClient - closedBefore).toBe(1);
  });

  it('6. a stream whose first token never comes fails over within the first-token timeout', async () => {
    openaiFake.setResponder(() => ({ fault: { type: 'hang' } }));
    const balancer = createBalancer(
      {
        strategy: 'failover',
        // Generous: the healthy leg must send its first token within it too, however loaded the machine.
        firstTokenTimeoutMs: 2_000,
        targets: [
          {
            id: 'openai',
            model: createOpenAI({ apiKey: 'sk', baseURL: `${openaiFake.url}/v1`, maxRetries: 0 }).chatModel(
              'gpt-4o-mini',
            ),
          },
          {
            id: 'groq',
            model: createGroq({ apiKey: 'test-groq-key-not-real', baseURL: groqFake.url }).chatModel(
              'llama-3.1-8b-instant',
            ),
            priority: 1,
          },
        ],
      },
      noEnv,
    );
    let text = '';
    let outcomes: string[] = [];
    for await (const chunk of balancer.stream(ask)) {
      if (chunk.type === 'text-delta') text += chunk.text;
      if (chunk.type === 'finish') outcomes = chunk.result.route.attempts.map((attempt) => attempt.outcome);
    }
    expect(text).toBe('from groq');
    expect(outcomes).toEqual(['timeout', 'success']);
  });
});

describe('3. Retry-After is target state, not call state', () => {
  it('skips the target for every call until its Retry-After has passed', async () => {
    const clock = manualClock();
    const a = fakeModel('a', (call) => (call === 0 ? { error: rateLimited(2_000) } : { text: 'a' }));
    const b = fakeModel('b', () => ({ text: 'b' }));
    const balancer = createBalancer(
      {
        now: clock.now,
        strategy: 'round-robin',
        targets: [
          { id: 'a', model: a },
          { id: 'b', model: b },
        ],
        circuitBreaker: patientBreaker,
      },
      noEnv,
    );
    const first = await balancer.chat(ask);
    expect(first.route.attempts.map((attempt) => `${attempt.target}:${attempt.outcome}`)).toEqual([
      'a:rate_limited',
      'b:success',
    ]);
    const during: string[] = [];
    for (let call = 0; call < 15; call++) {
      clock.advance(100); // 15 calls over the next 1.5 s
      const result = await balancer.chat(ask);
      during.push(result.route.target);
      expect(result.route.skipped).toEqual([expect.objectContaining({ target: 'a', reason: 'retry_after' })]);
    }
    expect(during.every((target) => target === 'b')).toBe(true);
    expect(a.calls).toBe(1);
    clock.advance(600); // 2.1 s after the 429
    const after: string[] = [];
    for (let call = 0; call < 4; call++) after.push((await balancer.chat(ask)).route.target);
    expect(after).toContain('a');
  });

  it('when it is the only option: waits if that fits the call, else fails at once without calling it', async () => {
    const clock = manualClock();
    const only = fakeModel('only', (call) => (call === 0 ? { error: rateLimited(90_000) } : { text: 'ok' }));
    const balancer = createBalancer(
      { now: clock.now, targets: [{ id: 'only', model: only }], circuitBreaker: patientBreaker },
      noEnv,
    );
    const error = await balancer.chat(ask).catch((caught: unknown) => caught);
    expect((error as NoHealthyTargetError).attempts.map((attempt) => attempt.outcome)).toEqual([
      'rate_limited',
      'retry_after_exceeds_deadline',
    ]);
    clock.advance(1_000);
    const next = await balancer.chat(ask).catch((caught: unknown) => caught);
    expect(NoHealthyTargetError.isInstance(next)).toBe(true);
    expect((next as NoHealthyTargetError).attempts.map((attempt) => attempt.outcome)).toEqual([
      'retry_after',
      'retry_after_exceeds_deadline',
    ]);
    expect(only.calls).toBe(1); // the second call never reached the target
    clock.advance(90_000);
    expect((await balancer.chat(ask)).text).toBe('ok');
  });

  it('when it is the only option and the wait fits the call, waits it out and then calls it', async () => {
    const clock = manualClock();
    const only = fakeModel('only', (call) => (call === 0 ? { error: rateLimited(20) } : { text: 'ok' }));
    const balancer = createBalancer(
      { now: clock.now, targets: [{ id: 'only', model: only }], circuitBreaker: patientBreaker },
      noEnv,
    );
    const result = await balancer.chat(ask);
    expect(result.route.attempts.map((attempt) => attempt.outcome)).toEqual(['rate_limited', 'success']);
    expect(only.calls).toBe(2);
  });

  it('a host’s record() with retryAfterMs holds the target off too', async () => {
    const clock = manualClock();
    const balancer = createBalancer(
      {
        now: clock.now,
        strategy: 'failover',
        targets: [
          { id: 'a', model: fakeModel('a') },
          { id: 'b', model: fakeModel('b'), priority: 1 },
        ],
        circuitBreaker: patientBreaker,
      },
      noEnv,
    );
    balancer.record({
      targetId: 'a',
      outcome: 'failure',
      latencyMs: 5,
      errorCode: 'rate_limited',
      retryAfterMs: 2_000,
    });
    expect(balancer.select().targetId).toBe('b');
    clock.advance(2_000);
    expect(balancer.select().targetId).toBe('a');
  });
});

describe('4. select() and record() go through the single half-open probe', () => {
  it('hands the half-open target to exactly one selection, and record() is its verdict', () => {
    const clock = manualClock();
    const balancer = createBalancer(
      {
        now: clock.now,
        strategy: 'failover',
        targets: [
          { id: 'a', model: fakeModel('a') },
          { id: 'b', model: fakeModel('b'), priority: 1 },
        ],
        circuitBreaker: { cooldownMs: 1_000 },
      },
      noEnv,
    );
    balancer.record({ targetId: 'a', outcome: 'failure', latencyMs: 5, errorCode: 'authentication_failed' });
    expect(balancer.health()[0]?.state).toBe('open');
    clock.advance(1_000);
    const picks = Array.from({ length: 5 }, () => balancer.select());
    expect(picks.map((pick) => pick.targetId)).toEqual(['a', 'b', 'b', 'b', 'b']);
    expect(picks.map((pick) => pick.probe)).toEqual([true, false, false, false, false]);
    balancer.record({ targetId: 'a', outcome: 'success', latencyMs: 5 });
    expect(balancer.health()[0]?.state).toBe('closed');
    expect(balancer.select()).toMatchObject({ targetId: 'a', probe: false });
  });

  it('a probe whose verdict never comes is released after probeTimeoutMs', () => {
    const clock = manualClock();
    const balancer = createBalancer(
      {
        now: clock.now,
        targets: [{ id: 'a', model: fakeModel('a') }],
        circuitBreaker: { cooldownMs: 1_000, probeTimeoutMs: 5_000 },
      },
      noEnv,
    );
    balancer.record({ targetId: 'a', outcome: 'failure', latencyMs: 5, errorCode: 'authentication_failed' });
    clock.advance(1_000);
    expect(balancer.select().probe).toBe(true);
    expect(() => balancer.select()).toThrow(NoHealthyTargetError);
    clock.advance(5_000);
    expect(balancer.select().probe).toBe(true);
  });
});

/** A stream of `chunks` text chunks whose upstream closes only when `closed` opens. */
function slowClosingStream(chunks: number, closed: Promise<void>) {
  const state = { closedAt: 0 };
  const model: ChatModel = {
    provider: 'fake',
    modelId: 'closing',
    capabilities: { tools: true, vision: false, jsonMode: true, jsonSchema: true, streaming: true },
    chat: async () => okResult('closing'),
    async *stream(_request: ChatRequest, _options?: CallOptions): AsyncGenerator<ChatChunk> {
      try {
        for (let index = 0; index < chunks; index++) yield { type: 'text-delta', text: `t${index}` };
        yield { type: 'finish', result: okResult('closing') };
      } finally {
        await closed; // the connection takes a while to go away
        state.closedAt++;
      }
    },
  };
  return { model, state };
}

describe('5. streams the consumer stops reading are counted and free their slot when the upstream closes', () => {
  it('breaking out of for-await: cancelled, with latency and TTFT so far; slot held until the upstream closed', async () => {
    const closed = gate();
    const { model, state } = slowClosingStream(5, closed.until);
    const balancer = createBalancer({ targets: [{ id: 's', model, maxConcurrent: 1 }] }, noEnv);
    for await (const chunk of balancer.stream(ask)) {
      expect(chunk.type).toBe('text-delta');
      break;
    }
    const snapshot = balancer.snapshot();
    expect(snapshot.calls.failuresByCode).toEqual({ cancelled: 1 });
    expect(snapshot.calls.timeToFirstTokenMs).toBeDefined();
    expect(snapshot.calls.latencyMs).toBeDefined();
    expect(snapshot.targets.s).toMatchObject({ requests: 1, failures: 1, failuresByCode: { cancelled: 1 } });
    expect(snapshot.targets.s?.timeToFirstTokenMs).toBeDefined();
    expect(balancer.health()[0]?.inFlight).toBe(1); // the upstream has not closed yet
    closed.open();
    await vi.waitFor(() => expect(balancer.health()[0]?.inFlight).toBe(0), { timeout: 10_000 });
    expect(state.closedAt).toBe(1);
  });

  it('a stream nobody finishes reading is closed and counted when its deadline passes', async () => {
    const closed = gate();
    closed.open();
    const { model, state } = slowClosingStream(5, closed.until);
    const balancer = createBalancer({ targets: [{ id: 's', model }] }, noEnv);
    const iterator = balancer.stream(ask, { timeoutMs: 50 })[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'text-delta' });
    // The consumer never asks for the next chunk; the deadline closes the stream anyway.
    await vi.waitFor(() => expect(balancer.snapshot().calls.failuresByCode).toEqual({ timeout: 1 }), {
      timeout: 10_000,
    });
    await vi.waitFor(() => expect(balancer.health()[0]?.inFlight).toBe(0), { timeout: 10_000 });
    expect(state.closedAt).toBe(1);
    const late = await iterator.next().catch((error: unknown) => error);
    expect(TimeoutError.isInstance(late)).toBe(true);
  });
});

describe('6. default deadlines', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ships defaults: 120 s per call, 60 s per attempt, 30 s to the first token', () => {
    const balancer = createBalancer({ targets: [{ model: fakeModel('a') }] }, noEnv);
    expect(balancer.timeouts).toEqual({
      timeoutMs: 120_000,
      attemptTimeoutMs: 60_000,
      firstTokenTimeoutMs: 30_000,
    });
    expect(defaultTimeouts).toEqual(balancer.timeouts);
    const configured = createBalancer(
      { targets: [{ model: fakeModel('a') }], attemptTimeoutMs: 5_000 },
      noEnv,
    );
    expect(configured.timeouts).toEqual({
      timeoutMs: 120_000,
      attemptTimeoutMs: 5_000,
      firstTokenTimeoutMs: 5_000,
    });
  });

  it('without any configuration, a hung target fails over after the default attempt timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const hung = fakeModel('hung', () => ({ delayMs: 3_600_000 }));
    const balancer = createBalancer(
      {
        strategy: 'failover',
        targets: [
          { id: 'hung', model: hung },
          { id: 'healthy', model: fakeModel('healthy'), priority: 1 },
        ],
      },
      noEnv,
    );
    let settled = false;
    const call = balancer.chat(ask).finally(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(59_000);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1_100);
    const result = await call;
    expect(result.route.attempts.map((attempt) => `${attempt.target}:${attempt.outcome}`)).toEqual([
      'hung:timeout',
      'healthy:success',
    ]);
    expect(hung.active).toBe(0); // the hung attempt was aborted, not left running
  });

  it('without any configuration, a call ends at the default call deadline', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const balancer = createBalancer(
      { targets: [{ id: 'hung', model: fakeModel('hung', () => ({ delayMs: 3_600_000 })) }] },
      noEnv,
    );
    const call = balancer.chat(ask).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(121_000);
    const error = await call;
    expect(TimeoutError.isInstance(error) || NoHealthyTargetError.isInstance(error)).toBe(true);
  });
});

describe('7. round-robin is a strict rotation, whatever the failovers', () => {
  it.each([
    { name: 'no failures', failing: [] as string[][] },
    { name: 'the first pick fails on call 1', failing: [['a']] },
    {
      name: 'two picks fail on calls 1 and 2',
      failing: [
        ['a', 'b'],
        ['b', 'c'],
      ],
    },
    { name: 'a failure on every call', failing: [['a'], ['b'], ['c'], ['a'], ['b'], ['c']] },
  ])('first picks rotate a, b, c, a, b, c when $name', async ({ failing }) => {
    let call = 0;
    const model = (id: string) =>
      fakeModel(id, () => (failing[call]?.includes(id) ? { error: serverError() } : { text: id }));
    const balancer = createBalancer(
      {
        strategy: 'round-robin',
        targets: ['a', 'b', 'c'].map((id) => ({ id, model: model(id) })),
        circuitBreaker: patientBreaker,
        retry: { budget: false, baseDelayMs: 0, maxDelayMs: 0 },
      },
      noEnv,
    );
    const firstPicks: string[] = [];
    for (call = 0; call < 6; call++) {
      const result = await balancer.chat(ask);
      firstPicks.push(result.route.attempts[0]?.target ?? '');
    }
    expect(firstPicks).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });
});

describe('configuration of the new settings', () => {
  it('rejects bad deadlines and probe timeouts with one ConfigError listing every problem', () => {
    let caught: unknown;
    try {
      createBalancer(
        {
          targets: [{ model: fakeModel('a') }],
          timeoutMs: -1,
          attemptTimeoutMs: 0,
          firstTokenTimeoutMs: Number.NaN,
          circuitBreaker: { probeTimeoutMs: -5 },
        },
        noEnv,
      );
    } catch (error) {
      caught = error;
    }
    expect(ConfigError.isInstance(caught)).toBe(true);
    expect((caught as ConfigError).issues.map((issue) => issue.path).sort()).toEqual([
      'attemptTimeoutMs',
      'circuitBreaker.probeTimeoutMs',
      'firstTokenTimeoutMs',
      'timeoutMs',
    ]);
  });
});
