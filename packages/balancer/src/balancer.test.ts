import {
  AbortedError,
  ApiCallError,
  type ChatRequest,
  ConfigError,
  collectStream,
  NoHealthyTargetError,
  TimeoutError,
} from '@ballast/core';
import { createGroq } from '@ballast/groq';
import { createOpenAI } from '@ballast/openai';
import { type FakeLlmServer, startFakeGroq, startFakeOpenAI } from '@ballast/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBalancer } from './balancer';
import {
  authError,
  badRequest,
  fakeModel,
  manualClock,
  rateLimited,
  seededRandom,
  serverError,
} from './fake-chat-model.test-helper';
import { routeOfError } from './route';

const ask: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }], maxTokens: 16 };
const noEnv = {};
const fastRetry = { baseDelayMs: 1, maxDelayMs: 5, budget: false as const };

describe('over loopback through the real adapters', () => {
  let openaiFake: FakeLlmServer;
  let groqFake: FakeLlmServer;
  const openaiModel = () =>
    createOpenAI({ apiKey: 'sk-test', baseURL: `${openaiFake.url}/v1` }).chatModel('gpt-4o-mini');
  const groqModel = () =>
    createGroq({ apiKey: 'test-groq-key-not-real', baseURL: groqFake.url }).chatModel('llama-3.1-8b-instant');
  const twoTargets = (extra: Record<string, unknown> = {}) =>
    createBalancer(
      {
        name: 'loopback',
        strategy: 'failover',
        targets: [
          { id: 'openai', model: openaiModel(), priority: 0 },
          { id: 'groq', model: groqModel(), priority: 1 },
        ],
        retry: fastRetry,
        ...extra,
      },
      noEnv,
    );

  beforeAll(async () => {
    openaiFake = await startFakeOpenAI();
    groqFake = await startFakeGroq();
  });
  afterAll(async () => {
    await openaiFake.close();
    await groqFake.close();
  });
  beforeEach(() => {
    openaiFake.requests.length = 0;
    groqFake.requests.length = 0;
    openaiFake.setResponder(() => ({ text: 'from openai' }));
    groqFake.setResponder(() => ({ text: 'from groq' }));
  });

  it('is a ChatModel whose result carries the route and cost', async () => {
    const balancer = twoTargets();
    expect(balancer.provider).toBe('balancer');
    expect(balancer.modelId).toBe('loopback');
    expect(balancer.capabilities.tools).toBe(true);
    const result = await balancer.chat(ask);
    expect(result.text).toBe('from openai');
    expect(result.costUsd).toBeGreaterThan(0);
    expect(result.route).toMatchObject({ target: 'openai', strategy: 'failover' });
    expect(result.route.attempts).toEqual([
      expect.objectContaining({ target: 'openai', outcome: 'success' }),
    ]);
    expect(result.route.scores.map((score) => score.target)).toEqual(['openai', 'groq']);
    expect(result.route.scores[0]?.components).toHaveProperty('reliability');
  });

  it('fails over from a 500 to the next target', async () => {
    openaiFake.enqueue({ fault: { type: 'status', status: 500 } });
    const balancer = twoTargets();
    const failovers: string[] = [];
    balancer.on('failover', ({ from, code }) => failovers.push(`${from}:${code}`));
    const result = await balancer.chat(ask);
    expect(result.text).toBe('from groq');
    expect(result.route.attempts.map((attempt) => `${attempt.target}:${attempt.outcome}`)).toEqual([
      'openai:server_error',
      'groq:success',
    ]);
    expect(failovers).toEqual(['openai:server_error']);
  });

  it('retries the only target after a 429 and honours Retry-After', async () => {
    openaiFake.enqueue({ fault: { type: 'status', status: 429, headers: { 'retry-after-ms': '60' } } });
    const balancer = createBalancer({ targets: [{ model: openaiModel() }], retry: fastRetry }, noEnv);
    const delays: number[] = [];
    balancer.on('retry', ({ delayMs }) => delays.push(delayMs));
    const result = await balancer.chat(ask);
    // The balancer decided to wait exactly what the server asked (no wall-clock assertion).
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThan(5); // more than any backoff of fastRetry (≤ 5 ms)
    expect(delays[0]).toBeLessThanOrEqual(60);
    expect(result.route.attempts.map((attempt) => attempt.outcome)).toEqual(['rate_limited', 'success']);
    expect(result.route.attempts[0]?.retryAfterMs).toBe(60);
  });

  it('fails over instead of waiting when Retry-After exceeds the deadline', async () => {
    openaiFake.enqueue({ fault: { type: 'status', status: 429, retryAfter: '30' } });
    const balancer = createBalancer({ targets: [{ model: openaiModel() }], retry: fastRetry }, noEnv);
    const error = await balancer.chat(ask, { timeoutMs: 2_000 }).catch((caught: unknown) => caught);
    expect(NoHealthyTargetError.isInstance(error)).toBe(true);
    expect((error as NoHealthyTargetError).attempts.map((attempt) => attempt.outcome)).toEqual([
      'rate_limited',
      'retry_after_exceeds_deadline',
    ]);
  });

  it('opens the circuit on a bad key and stops sending there', async () => {
    const balancer = createBalancer(
      {
        strategy: 'failover',
        targets: [
          {
            id: 'bad-key',
            model: createOpenAI({ apiKey: 'sk-wrong', baseURL: `${openaiFake.url}/v1` }).chatModel(
              'gpt-4o-mini',
            ),
          },
          { id: 'groq', model: groqModel(), priority: 1 },
        ],
        retry: fastRetry,
      },
      noEnv,
    );
    const fake = await startFakeOpenAI({ apiKey: 'sk-right' });
    try {
      const guarded = createBalancer(
        {
          strategy: 'failover',
          targets: [
            {
              id: 'bad-key',
              model: createOpenAI({ apiKey: 'sk-wrong', baseURL: `${fake.url}/v1` }).chatModel('gpt-4o-mini'),
            },
            { id: 'groq', model: groqModel(), priority: 1 },
          ],
          retry: fastRetry,
        },
        noEnv,
      );
      const opened: string[] = [];
      guarded.on('circuit-open', ({ target, reason }) => opened.push(`${target}:${reason}`));
      const first = await guarded.chat(ask);
      expect(first.route.attempts.map((attempt) => attempt.outcome)).toEqual([
        'authentication_failed',
        'success',
      ]);
      expect(opened).toEqual(['bad-key:target-unavailable']);
      const second = await guarded.chat(ask);
      expect(second.route.attempts).toHaveLength(1);
      expect(second.route.skipped).toEqual([
        expect.objectContaining({ target: 'bad-key', reason: 'circuit_open' }),
      ]);
      expect(fake.requests).toHaveLength(1);
      expect(guarded.health().find((entry) => entry.target === 'bad-key')?.state).toBe('open');
    } finally {
      await fake.close();
    }
    expect(balancer.health()).toHaveLength(2);
  });

  it('fails at once on a request error instead of spraying it to every target', async () => {
    openaiFake.enqueue({
      fault: {
        type: 'status',
        status: 400,
        code: 'context_length_exceeded',
        message: 'maximum context length',
      },
    });
    const error = await twoTargets()
      .chat(ask)
      .catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error) && error.code).toBe('context_length_exceeded');
    expect(groqFake.requests).toHaveLength(0);
    expect(routeOfError(error)?.attempts).toHaveLength(1);
  });

  it('streams: fails over before the first token (cut at 0 chunks, 500)', async () => {
    openaiFake.enqueue({ text: 'never', fault: { type: 'cut-stream', afterChunks: 0 } });
    const balancer = twoTargets();
    const result = await collectStream(balancer.stream(ask));
    expect(result.text).toBe('from groq');
    const finish = result as typeof result & { route?: { attempts: Array<{ outcome: string }> } };
    expect(finish.route?.attempts.map((attempt) => attempt.outcome)).toEqual([
      expect.stringMatching(/^(network_error|invalid_response)$/),
      'success',
    ]);

    openaiFake.enqueue({ fault: { type: 'status', status: 500 } });
    const chunks: string[] = [];
    for await (const chunk of balancer.stream(ask)) if (chunk.type === 'text-delta') chunks.push(chunk.text);
    expect(chunks.join('')).toBe('from groq');
  });

  it('streams: never fails over after the first token; the typed error propagates', async () => {
    openaiFake.enqueue({
      text: 'a long answer that gets cut',
      chunkSize: 2,
      fault: { type: 'cut-stream', afterChunks: 3 },
    });
    const balancer = twoTargets();
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of balancer.stream(ask))
        if (chunk.type === 'text-delta') received.push(chunk.text);
    })().catch((caught: unknown) => caught);
    expect(received.length).toBeGreaterThan(0);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(groqFake.requests).toHaveLength(0);
    expect(routeOfError(error)?.attempts).toHaveLength(1);
  });

  it('nests a balancer inside a balancer', async () => {
    openaiFake.setResponder(() => ({ fault: { type: 'status', status: 503 } }));
    const inner = createBalancer(
      { name: 'inner', targets: [{ model: openaiModel() }], retry: { ...fastRetry, maxRetriesPerTarget: 0 } },
      noEnv,
    );
    const outer = createBalancer(
      {
        name: 'outer',
        strategy: 'failover',
        targets: [{ model: inner }, { model: groqModel(), priority: 1 }],
        retry: fastRetry,
      },
      noEnv,
    );
    const result = await outer.chat(ask);
    expect(result.text).toBe('from groq');
    expect(result.route.attempts.map((attempt) => `${attempt.target}:${attempt.outcome}`)).toEqual([
      'balancer:inner:no_healthy_target',
      'groq:llama-3.1-8b-instant:success',
    ]);
  });
});

describe('strategies (in-process models)', () => {
  const models = () => [fakeModel('a'), fakeModel('b'), fakeModel('c')];
  const pick = async (balancer: ReturnType<typeof createBalancer>, count: number) => {
    const picks: string[] = [];
    for (let index = 0; index < count; index++) picks.push((await balancer.chat(ask)).route.target);
    return picks;
  };

  it('round-robin rotates strictly', async () => {
    const balancer = createBalancer(
      { strategy: 'round-robin', targets: models().map((model) => ({ model })) },
      noEnv,
    );
    expect(await pick(balancer, 6)).toEqual(['fake:a', 'fake:b', 'fake:c', 'fake:a', 'fake:b', 'fake:c']);
  });

  it('failover uses priority order', async () => {
    const [a, b, c] = models();
    const balancer = createBalancer(
      {
        strategy: 'failover',
        targets: [
          { model: a!, priority: 2 },
          { model: b!, priority: 0 },
          { model: c!, priority: 1 },
        ],
      },
      noEnv,
    );
    expect(await pick(balancer, 3)).toEqual(['fake:b', 'fake:b', 'fake:b']);
  });

  it('cost picks the cheapest expected cost, and maxCostUsd skips the rest', async () => {
    const [a, b, c] = models();
    const balancer = createBalancer(
      {
        strategy: 'cost',
        targets: [
          { model: a!, price: { inputPerMillion: 5, outputPerMillion: 15 } },
          { model: b!, price: { inputPerMillion: 0.1, outputPerMillion: 0.4 } },
          { model: c! },
        ],
      },
      noEnv,
    );
    expect(await pick(balancer, 2)).toEqual(['fake:b', 'fake:b']);
    const routed = await balancer.chat(ask, { routing: { maxCostUsd: 0.0001, strategy: 'round-robin' } });
    expect(routed.route.target).toBe('fake:b');
    expect(routed.route.skipped.map((entry) => `${entry.target}:${entry.reason}`).sort()).toEqual([
      'fake:a:cost_constraint',
      'fake:c:cost_unknown',
    ]);
  });

  it('latency picks the fastest p50, and maxLatencyMs skips slow p95', async () => {
    const balancer = createBalancer(
      { strategy: 'latency', targets: models().map((model) => ({ model })) },
      noEnv,
    );
    for (let index = 0; index < 10; index++) {
      balancer.record({ targetId: 'fake:a', outcome: 'success', latencyMs: 300 });
      balancer.record({ targetId: 'fake:b', outcome: 'success', latencyMs: 40 });
      balancer.record({ targetId: 'fake:c', outcome: 'success', latencyMs: 120 });
    }
    expect(balancer.select().targetId).toBe('fake:b');
    const constrained = balancer.select({ maxLatencyMs: 200, strategy: 'random' });
    expect(constrained.skipped).toEqual([
      expect.objectContaining({ target: 'fake:a', reason: 'latency_constraint' }),
    ]);
  });

  it('least-busy sends to the target with the fewest calls in flight', async () => {
    const slow = fakeModel('slow', () => ({ delayMs: 30 }));
    const idle = fakeModel('idle');
    const balancer = createBalancer(
      {
        strategy: 'least-busy',
        targets: [
          { model: slow, maxConcurrent: 4 },
          { model: idle, maxConcurrent: 4 },
        ],
      },
      noEnv,
    );
    const first = balancer.chat(ask); // both idle: the first in order (slow) takes it
    const second = await balancer.chat(ask);
    expect(second.route.target).toBe('fake:idle');
    expect((await first).route.target).toBe('fake:slow');
  });

  it('random and weighted follow weights with an injected RNG', async () => {
    const [a, b] = models();
    const random = createBalancer(
      {
        strategy: 'random',
        random: seededRandom(1),
        targets: [
          { model: a!, weight: 3 },
          { model: b!, weight: 1 },
        ],
      },
      noEnv,
    );
    const picks = await pick(random, 400);
    const shareA = picks.filter((target) => target === 'fake:a').length / picks.length;
    expect(shareA).toBeGreaterThan(0.65);
    expect(shareA).toBeLessThan(0.85);

    const weighted = createBalancer(
      {
        random: seededRandom(2),
        targets: [
          { model: fakeModel('x'), weight: 1 },
          { model: fakeModel('y'), weight: 0 },
        ],
      },
      noEnv,
    );
    expect(new Set(await pick(weighted, 50))).toEqual(new Set(['fake:x']));
  });

  it('weighted steers traffic away from a failing target but keeps exploring', async () => {
    const flaky = fakeModel('flaky', (call) => (call % 3 === 0 ? { error: serverError() } : { text: 'ok' }));
    const steady = fakeModel('steady');
    const balancer = createBalancer(
      { random: seededRandom(3), targets: [{ model: flaky }, { model: steady }], retry: fastRetry },
      noEnv,
    );
    const picks = await pick(balancer, 300);
    const steadyShare = picks.filter((target) => target === 'fake:steady').length / picks.length;
    expect(steadyShare).toBeGreaterThan(0.75);
    expect(flaky.calls).toBeGreaterThan(5);
  });

  it('matches required capabilities the same way with and without capability bits', () => {
    // Up to 30 distinct capabilities (tags included) are checked as bits, beyond that against the
    // sets: both must skip and pick the same targets, unknown needs and a stream's included.
    const tagged = (extra: number) =>
      createBalancer(
        {
          strategy: 'failover',
          targets: [
            { id: 'eu', model: fakeModel('a'), tags: ['eu', 'gdpr'] },
            {
              id: 'us',
              model: fakeModel('b', undefined, { capabilities: { streaming: false, tools: false } }),
              tags: ['us', ...Array.from({ length: extra }, (_, index) => `tag-${index}`)],
              priority: 1,
            },
            { id: 'any', model: fakeModel('c', undefined, { capabilities: { vision: true } }), priority: 2 },
          ],
        },
        noEnv,
      );
    const needs: Array<{ requiredCapabilities?: string[]; stream?: boolean }> = [
      {},
      { requiredCapabilities: ['eu'] },
      { requiredCapabilities: ['us'] },
      { requiredCapabilities: ['us'], stream: true },
      { requiredCapabilities: ['eu', 'gdpr'] },
      { requiredCapabilities: ['eu', 'us'] },
      { requiredCapabilities: ['vision'] },
      { requiredCapabilities: ['tools'] },
      { stream: true },
      { requiredCapabilities: ['nowhere'] },
      { requiredCapabilities: ['tag-3'] },
    ];
    const outcome = (balancer: ReturnType<typeof tagged>, request: (typeof needs)[number]) => {
      try {
        const selection = balancer.select(request);
        return `${selection.targetId} skipped ${selection.skipped.map((entry) => `${entry.target}:${entry.reason}`).join(',')}`;
      } catch (error) {
        return `throws ${(error as Error).name}`;
      }
    };
    const withBits = tagged(5);
    const withSets = tagged(40); // 40 tags: more capabilities than bits
    for (const request of needs) {
      const expected = outcome(withSets, request);
      if (request.requiredCapabilities?.includes('tag-3')) expect(expected).toContain('us skipped');
      expect(outcome(withBits, request)).toBe(expected);
    }
    expect(outcome(withBits, { requiredCapabilities: ['us'] })).toBe(
      'us skipped eu:capability_mismatch,any:capability_mismatch',
    );
    expect(outcome(withBits, { requiredCapabilities: ['vision'] })).toBe(
      'any skipped eu:capability_mismatch,us:capability_mismatch',
    );
    expect(outcome(withBits, { requiredCapabilities: ['us'], stream: true })).toBe(
      'throws NoHealthyTargetError',
    );
    expect(outcome(withBits, { requiredCapabilities: ['nowhere'] })).toBe('throws NoHealthyTargetError');
  });

  it('routes by required capabilities, task type and preferred provider', async () => {
    const plain = fakeModel('plain', undefined, { capabilities: { tools: false } });
    const vision = fakeModel('vision-model', undefined, { provider: 'eyes', capabilities: { vision: true } });
    const reasoner = fakeModel('reasoner');
    const balancer = createBalancer(
      {
        strategy: 'failover',
        targets: [
          { id: 'plain', model: plain, tags: ['eu'] },
          {
            id: 'multi',
            model: fakeModel('base', undefined, { provider: 'eyes' }),
            models: { vision, reasoning: reasoner },
            priority: 1,
          },
        ],
      },
      noEnv,
    );
    const withTools = await balancer.chat({
      ...ask,
      tools: [{ name: 'lookup', parameters: { type: 'object' } }],
    });
    expect(withTools.route.target).toBe('multi');
    expect(withTools.route.skipped).toEqual([
      expect.objectContaining({ target: 'plain', reason: 'capability_mismatch' }),
    ]);
    const withImage = await balancer.chat({
      messages: [{ role: 'user', content: [{ type: 'image', url: 'https://example.test/x.png' }] }],
    });
    expect(withImage.modelId).toBe('vision-model');
    expect((await balancer.chat(ask, { routing: { taskType: 'reasoning' } })).modelId).toBe('reasoner');
    expect((await balancer.chat(ask, { routing: { preferredProvider: 'eyes' } })).route.target).toBe('multi');
    expect((await balancer.chat(ask, { routing: { requiredCapabilities: ['eu'] } })).route.target).toBe(
      'plain',
    );
  });
});

describe('health, retries and limits (in-process models)', () => {
  it('opens by error rate, half-opens after the cooldown, probes once, closes on success', async () => {
    const clock = manualClock();
    let failing = true;
    const model = fakeModel('m', () => (failing ? { error: serverError() } : { text: 'back' }));
    const balancer = createBalancer(
      {
        now: clock.now,
        targets: [{ model }],
        retry: { ...fastRetry, maxRetriesPerTarget: 0 },
        circuitBreaker: { minimumRequests: 5, failureRateThreshold: 0.5, cooldownMs: 1_000 },
      },
      noEnv,
    );
    const events: string[] = [];
    balancer.on('circuit-open', () => events.push('open'));
    balancer.on('circuit-half-open', () => events.push('half-open'));
    balancer.on('circuit-close', () => events.push('close'));
    for (let index = 0; index < 5; index++) await balancer.chat(ask).catch(() => {});
    expect(balancer.health()[0]?.state).toBe('open');
    const skipped = await balancer.chat(ask).catch((caught: unknown) => caught);
    expect((skipped as NoHealthyTargetError).attempts).toEqual([
      expect.objectContaining({ outcome: 'circuit_open', durationMs: 0 }),
    ]);
    expect(model.calls).toBe(5);
    clock.advance(1_000);
    failing = false;
    expect((await balancer.chat(ask)).text).toBe('back');
    expect(events).toEqual(['open', 'half-open', 'close']);
  });

  it('a failed probe re-opens with a longer cooldown', async () => {
    const clock = manualClock();
    const model = fakeModel('m', () => ({ error: serverError() }));
    const balancer = createBalancer(
      {
        now: clock.now,
        targets: [{ model }],
        retry: { ...fastRetry, maxRetriesPerTarget: 0 },
        circuitBreaker: { minimumRequests: 1, cooldownMs: 1_000 },
      },
      noEnv,
    );
    await balancer.chat(ask).catch(() => {});
    expect(balancer.health()[0]).toMatchObject({ state: 'open', cooldownRemainingMs: 1_000 });
    clock.advance(1_000);
    await balancer.chat(ask).catch(() => {});
    expect(balancer.health()[0]).toMatchObject({
      state: 'open',
      cooldownRemainingMs: 2_000,
      consecutiveOpens: 2,
    });
  });

  it('NoHealthyTargetError lists every attempt and every skipped target', async () => {
    const clock = manualClock();
    const balancer = createBalancer(
      {
        now: clock.now,
        strategy: 'failover',
        targets: [
          { id: 'dead', model: fakeModel('dead', () => ({ error: authError() })) },
          { id: 'busy', model: fakeModel('busy', () => ({ error: rateLimited(1) })), priority: 1 },
          {
            id: 'no-tools',
            model: fakeModel('nt', undefined, { capabilities: { tools: false } }),
            priority: 2,
          },
        ],
        retry: { ...fastRetry, maxRetriesPerTarget: 1 },
      },
      noEnv,
    );
    const error = await balancer
      .chat({ ...ask, tools: [{ name: 't', parameters: { type: 'object' } }] })
      .catch((caught: unknown) => caught);
    expect(NoHealthyTargetError.isInstance(error)).toBe(true);
    expect(
      (error as NoHealthyTargetError).attempts.map((attempt) => `${attempt.target}:${attempt.outcome}`),
    ).toEqual([
      'dead:authentication_failed',
      'busy:rate_limited',
      'busy:rate_limited',
      'no-tools:capability_mismatch',
    ]);
    expect((error as Error).message).toContain('dead: authentication_failed');
  });

  it('retries with backoff, and stops when the retry budget is spent', async () => {
    const model = fakeModel('m', () => ({ error: serverError() }));
    const balancer = createBalancer(
      {
        targets: [{ model }],
        retry: {
          baseDelayMs: 1,
          maxDelayMs: 2,
          maxRetriesPerTarget: 5,
          budget: { ratio: 0, minPerSecond: 2, maxTokens: 2 },
        },
      },
      noEnv,
    );
    const retries: number[] = [];
    balancer.on('retry', ({ attempt }) => retries.push(attempt));
    const error = await balancer.chat(ask).catch((caught: unknown) => caught);
    expect((error as NoHealthyTargetError).attempts.map((attempt) => attempt.outcome)).toEqual([
      'server_error',
      'server_error',
      'server_error',
      'retry_budget_exhausted',
    ]);
    expect(retries).toEqual([2, 3]);
  });

  it('abort stops everything, including a backoff sleep, with AbortedError', async () => {
    const slow = fakeModel('slow', () => ({ delayMs: 5_000 }));
    const balancer = createBalancer({ targets: [{ model: slow }] }, noEnv);
    const controller = new AbortController();
    const pending = balancer.chat(ask, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(slow.active).toBe(0); // the model saw the abort too
    expect(balancer.health()[0]?.inFlight).toBe(0);

    const failing = createBalancer(
      {
        targets: [{ model: fakeModel('f', () => ({ error: rateLimited(2_000) })) }],
        retry: { budget: false },
      },
      noEnv,
    );
    const sleeping = new AbortController();
    const during = failing.chat(ask, { signal: sleeping.signal });
    setTimeout(() => sleeping.abort(), 20);
    await expect(during).rejects.toBeInstanceOf(AbortedError);
    expect(routeOfError(await during.catch((caught: unknown) => caught))?.attempts).toHaveLength(1);
  });

  it('the overall deadline and the per-attempt timeout', async () => {
    const slow = fakeModel('slow', () => ({ delayMs: 1_000 }));
    const balancer = createBalancer({ targets: [{ model: slow }] }, noEnv);
    const error = await balancer.chat(ask, { timeoutMs: 30 }).catch((caught: unknown) => caught);
    expect(TimeoutError.isInstance(error)).toBe(true);

    const fast = fakeModel('fast');
    const perAttempt = createBalancer(
      {
        strategy: 'failover',
        attemptTimeoutMs: 20,
        targets: [{ model: slow }, { model: fast, priority: 1 }],
        retry: fastRetry,
      },
      noEnv,
    );
    const result = await perAttempt.chat(ask);
    expect(result.route.attempts.map((attempt) => `${attempt.target}:${attempt.outcome}`)).toEqual([
      'fake:slow:timeout',
      'fake:fast:success',
    ]);
  });

  it('caps concurrency with a bounded queue and fails typed on overflow', async () => {
    const slow = fakeModel('slow', () => ({ delayMs: 20 }));
    const balancer = createBalancer({ targets: [{ model: slow, maxConcurrent: 2, maxQueue: 1 }] }, noEnv);
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => balancer.chat(ask)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(3);
    const rejected = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(NoHealthyTargetError.isInstance(rejected.reason)).toBe(true);
    expect((rejected.reason as NoHealthyTargetError).attempts.map((attempt) => attempt.outcome)).toEqual([
      'concurrency_limit',
      'queue_full',
    ]);
    expect(slow.maxActive).toBe(2);
    expect(balancer.health()[0]).toMatchObject({ inFlight: 0, queued: 0 });

    // The slot is held until the test releases it, not for a time a loaded machine could outlast:
    // with a 20 ms hold, a 15 ms stall between the two calls let the holder finish first.
    const holder = fakeModel('holder', () => ({ delayMs: 600_000 }));
    const timing = createBalancer(
      { queueTimeoutMs: 5, targets: [{ model: holder, maxConcurrent: 1 }] },
      noEnv,
    );
    const release = new AbortController();
    const held = timing.chat(ask, { signal: release.signal });
    const queued = await Promise.allSettled([timing.chat(ask)]);
    expect((queued[0] as PromiseRejectedResult).reason.attempts.at(-1).outcome).toBe('queue_timeout');
    release.abort();
    await expect(held).rejects.toBeDefined();
  });

  it('hedges a slow call: first success wins, the loser is aborted', async () => {
    const slow = fakeModel('slow', () => ({ delayMs: 300, text: 'slow' }));
    const quick = fakeModel('quick', () => ({ delayMs: 5, text: 'quick' }));
    const balancer = createBalancer(
      { strategy: 'failover', hedgeAfterMs: 20, targets: [{ model: slow }, { model: quick, priority: 1 }] },
      noEnv,
    );
    const result = await balancer.chat(ask);
    expect(result.text).toBe('quick');
    expect(
      result.route.attempts.map(
        (attempt) => `${attempt.target}:${attempt.outcome}${attempt.hedge ? ':hedge' : ''}`,
      ),
    ).toEqual(['fake:slow:cancelled', 'fake:quick:success:hedge']);
    // The losing hedge settles after its abort; wait for that rather than for a fixed time.
    while (slow.active > 0 || balancer.health().some((entry) => entry.inFlight > 0))
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(slow.active).toBe(0);
    expect(balancer.health().every((entry) => entry.inFlight === 0)).toBe(true);
  });

  it('request errors fail immediately; stream chunks after the first are never retried', async () => {
    const broken = fakeModel('broken', () => ({ error: badRequest() }));
    const other = fakeModel('other');
    const balancer = createBalancer(
      { strategy: 'failover', targets: [{ model: broken }, { model: other, priority: 1 }] },
      noEnv,
    );
    await expect(balancer.chat(ask)).rejects.toMatchObject({ code: 'context_length_exceeded' });
    expect(other.calls).toBe(0);

    const cut = fakeModel('cut', () => ({ chunks: 3, failAfterChunks: 1 }));
    const streaming = createBalancer(
      { strategy: 'failover', targets: [{ model: cut }, { model: other, priority: 1 }] },
      noEnv,
    );
    const error = await collectStream(streaming.stream(ask)).catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(other.calls).toBe(0);
    expect(streaming.snapshot().targets['fake:cut']?.failures).toBe(1);
  });

  it('select and record serve hosts that call providers themselves', () => {
    const balancer = createBalancer(
      {
        strategy: 'cost',
        targets: [{ id: 'x', model: fakeModel('x'), price: { inputPerMillion: 1, outputPerMillion: 2 } }],
      },
      noEnv,
    );
    const selection = balancer.select({ modelType: 'chat', maxTokens: 1_000, estimatedInputTokens: 1_000 });
    expect(selection).toMatchObject({ provider: 'fake', model: 'x', targetId: 'x', expectedCostUsd: 0.003 });
    expect(Object.keys(selection.breakdown)).toEqual(['cost', 'latency', 'reliability', 'load', 'priority']);
    balancer.record({
      targetId: 'x',
      outcome: 'success',
      latencyMs: 120,
      ttftMs: 30,
      usage: { inputTokens: 1_000, outputTokens: 500 },
    });
    balancer.record({ targetId: 'x', outcome: 'failure', latencyMs: 50, errorCode: 'authentication_failed' });
    expect(balancer.health()[0]?.state).toBe('open');
    const snapshot = balancer.snapshot({ sinceMs: 60_000 });
    expect(snapshot.targets.x).toMatchObject({
      requests: 2,
      successes: 1,
      failures: 1,
      inputTokens: 1_000,
      costUsd: 0.002,
    });
    expect(snapshot.targets.x?.failuresByCode).toEqual({ authentication_failed: 1 });
    expect(() => balancer.record({ targetId: 'nope', outcome: 'success', latencyMs: 1 })).toThrow(
      /Unknown balancer target/,
    );
  });
});

describe('configuration', () => {
  it('rejects bad config at creation with ConfigError', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ targets: [] }, /at least one target/],
      [{ targets: [{ model: fakeModel('a') }, { model: fakeModel('a') }] }, /duplicate target id "fake:a"/],
      [{ targets: [{ model: fakeModel('a'), weight: -1 }] }, /targets\.0\.weight/],
      // Ids are keys of the snapshot's and the server's JSON objects, where "__proto__" would vanish.
      [{ targets: [{ id: '__proto__', model: fakeModel('a') }] }, /targets\.0\.id/],
      [{ targets: [{ model: { provider: 'x' } }] }, /must be a ChatModel/],
      [{ targets: [{ model: fakeModel('a') }], strategy: 'fastest' }, /strategy/],
    ];
    for (const [config, message] of cases) {
      try {
        createBalancer(config as never, noEnv);
        expect.unreachable();
      } catch (error) {
        expect(ConfigError.isInstance(error)).toBe(true);
        expect((error as Error).message).toMatch(message);
      }
    }
  });

  it('reads weights from the env and validates them', () => {
    const targets = [{ model: fakeModel('a') }];
    expect(createBalancer({ targets }, { LOAD_BALANCER_WEIGHT_COST: '70' }).weights.cost).toBe(70);
    expect(() => createBalancer({ targets }, { LOAD_BALANCER_WEIGHT_LATENCY: '-3' })).toThrow(
      /LOAD_BALANCER_WEIGHT_LATENCY/,
    );
  });
});
