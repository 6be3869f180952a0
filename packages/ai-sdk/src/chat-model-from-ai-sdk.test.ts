import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createBalancer } from '@ballast/balancer';
import {
  AbortedError,
  ApiCallError,
  type ChatChunk,
  type ChatRequest,
  ConfigError,
  collectStream,
  createPricingTable,
  generateObject,
} from '@ballast/core';
import { createOpenAI } from '@ballast/openai';
import { type FakeLlmServer, startFakeOpenAI } from '@ballast/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createChatModelFromAiSdk } from './chat-model-from-ai-sdk';

// A real AI SDK provider (@ai-sdk/openai-compatible, the version that goes with ai 6) talks real
// HTTP to the testkit's fake OpenAI, wrapped as a Ballast ChatModel and used inside a balancer.

const apiKey = ['test', 'compat', 'key'].join('-');
let fake: FakeLlmServer;
let other: FakeLlmServer;

beforeAll(async () => {
  [fake, other] = await Promise.all([startFakeOpenAI({ apiKey }), startFakeOpenAI()]);
});
afterAll(async () => {
  await Promise.all([fake.close(), other.close()]);
});
beforeEach(() => {
  for (const server of [fake, other]) {
    server.requests.length = 0;
    server.setResponder(() => ({ text: 'OK' }));
  }
});
afterEach(() => {
  // A scripted reply left over would answer the next test's request.
  expect([fake.pending(), other.pending()]).toEqual([0, 0]);
});

const pricing = createPricingTable({
  compat: { 'gpt-4o-mini': { inputPerMillion: 1, outputPerMillion: 2 } },
  backup: { 'gpt-4o-mini': { inputPerMillion: 1, outputPerMillion: 2 } },
});

function compatProvider(key = apiKey, server = fake) {
  return createOpenAICompatible({
    name: 'compat',
    baseURL: `${server.url}/v1`,
    apiKey: key,
    includeUsage: true,
    supportsStructuredOutputs: true,
  });
}
const compatModel = (key?: string, server?: FakeLlmServer) =>
  createChatModelFromAiSdk(compatProvider(key, server).chatModel('gpt-4o-mini'), {
    pricing,
    secrets: [key ?? apiKey],
  });

const ask: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };
const sentBody = (server = fake) => server.requests.at(-1)?.body as Record<string, unknown>;

describe('createChatModelFromAiSdk', () => {
  it('names the Ballast provider after the AI SDK provider id', () => {
    const model = compatModel();
    expect(model.provider).toBe('compat');
    expect(model.modelId).toBe('gpt-4o-mini');
    expect(model.capabilities.tools).toBe(true);
  });

  it('chats: text, usage, cost and the messages the AI SDK provider sent', async () => {
    fake.enqueue({
      text: 'Hello from the AI SDK',
      usage: { inputTokens: 1000, outputTokens: 500, cachedInputTokens: 100 },
    });
    const result = await compatModel().chat({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
      temperature: 0.2,
      maxTokens: 64,
    });
    expect(result.text).toBe('Hello from the AI SDK');
    expect(result.finishReason).toEqual({ unified: 'stop', raw: 'stop' });
    expect(result.usage).toEqual({
      inputTokens: 1000,
      outputTokens: 500,
      cachedInputTokens: 100,
      reasoningTokens: 0,
      totalTokens: 1500,
    });
    expect(result.costUsd).toBeCloseTo((1000 * 1 + 500 * 2) / 1_000_000, 10);
    expect(result.provider).toBe('compat');
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(sentBody()).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0.2,
      max_tokens: 64,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
    });
  });

  it('streams text deltas and one finish chunk with usage', async () => {
    fake.enqueue({
      text: 'streamed through the AI SDK',
      chunkSize: 4,
      usage: { inputTokens: 9, outputTokens: 6 },
    });
    const chunks: ChatChunk[] = [];
    for await (const chunk of compatModel().stream(ask)) chunks.push(chunk);
    const deltas = chunks.flatMap((chunk) => (chunk.type === 'text-delta' ? [chunk.text] : []));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('streamed through the AI SDK');
    const finishes = chunks.filter((chunk) => chunk.type === 'finish');
    expect(finishes).toHaveLength(1);
    const result = finishes[0]?.type === 'finish' ? finishes[0].result : undefined;
    expect(result?.text).toBe('streamed through the AI SDK');
    expect(result?.usage).toMatchObject({ inputTokens: 9, outputTokens: 6, totalTokens: 15 });
    expect(result?.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(sentBody()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('sends tools and reads tool calls back, whole and streamed', async () => {
    const request: ChatRequest = {
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [
        { name: 'get_weather', description: 'Weather by city', parameters: z.object({ city: z.string() }) },
      ],
      toolChoice: 'required',
    };
    fake.enqueue({ toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo' } }] });
    const result = await compatModel().chat(request);
    expect(result.finishReason.unified).toBe('tool-calls');
    expect(result.toolCalls).toEqual([
      { id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo' }, rawArguments: '{"city":"Oslo"}' },
    ]);
    expect(sentBody()).toMatchObject({
      tool_choice: 'required',
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', parameters: expect.objectContaining({ required: ['city'] }) },
        },
      ],
    });

    fake.enqueue({
      toolCalls: [{ id: 'call_2', name: 'get_weather', arguments: { city: 'Bergen' } }],
      chunkSize: 3,
    });
    const chunks: ChatChunk[] = [];
    for await (const chunk of compatModel().stream(request)) chunks.push(chunk);
    const argumentsStreamed = chunks
      .flatMap((chunk) => (chunk.type === 'tool-call-delta' ? [chunk.argumentsDelta] : []))
      .join('');
    expect(argumentsStreamed).toBe('{"city":"Bergen"}');
    expect(chunks.find((chunk) => chunk.type === 'tool-call')).toEqual({
      type: 'tool-call',
      toolCall: {
        id: 'call_2',
        name: 'get_weather',
        arguments: { city: 'Bergen' },
        rawArguments: '{"city":"Bergen"}',
      },
    });
  });

  it('sends the history of a tool loop in the AI SDK prompt format', async () => {
    await compatModel().chat({
      messages: [
        { role: 'user', content: 'Weather in Oslo and Bergen?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [
            { id: 'a', name: 'get_weather', arguments: { city: 'Oslo' }, rawArguments: '{"city":"Oslo"}' },
            {
              id: 'b',
              name: 'get_weather',
              arguments: { city: 'Bergen' },
              rawArguments: '{"city":"Bergen"}',
            },
          ],
        },
        { role: 'tool', toolCallId: 'a', toolName: 'get_weather', content: '{"celsius":4}' },
        { role: 'tool', toolCallId: 'b', toolName: 'get_weather', content: 'station offline', isError: true },
      ],
    });
    const messages = sentBody().messages as Array<Record<string, unknown>>;
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'tool']);
    expect(messages[1]).toMatchObject({
      tool_calls: [
        { id: 'a', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        { id: 'b', function: { name: 'get_weather', arguments: '{"city":"Bergen"}' } },
      ],
    });
    expect(messages[2]).toMatchObject({ tool_call_id: 'a', content: '{"celsius":4}' });
    expect(messages[3]).toMatchObject({ tool_call_id: 'b', content: 'station offline' });
  });

  it("serves Ballast's generateObject with the provider's native JSON Schema mode", async () => {
    fake.enqueue({ text: JSON.stringify({ node: 'pve2', cpu: 0.4 }) });
    const { object, mode } = await generateObject(compatModel(), {
      schema: z.object({ node: z.string(), cpu: z.number() }),
      prompt: 'Least loaded node?',
    });
    expect(object).toEqual({ node: 'pve2', cpu: 0.4 });
    expect(mode).toBe('json-schema');
    expect(sentBody()).toMatchObject({
      response_format: {
        type: 'json_schema',
        json_schema: { schema: expect.objectContaining({ type: 'object' }) },
      },
    });
  });

  it('refuses something that is not a v3 language model with a ConfigError', () => {
    expect(() => createChatModelFromAiSdk('gpt-4o-mini' as never)).toThrow(ConfigError);
    expect(() => createChatModelFromAiSdk({ specificationVersion: 'v2' } as never)).toThrow(
      /specification v2/,
    );
    expect(() =>
      createChatModelFromAiSdk(compatProvider().chatModel('gpt-4o-mini'), { provider: '' }),
    ).toThrow(ConfigError);
  });
});

describe('AI SDK errors as Ballast errors', () => {
  it.each([
    [429, { code: 'rate_limited', isRetryable: true, isTargetUnavailable: false }],
    [500, { code: 'server_error', isRetryable: true, isTargetUnavailable: false }],
    [503, { code: 'overloaded', isRetryable: true, isTargetUnavailable: false }],
    [400, { code: 'bad_request', isRetryable: false, isTargetUnavailable: false }],
    [404, { code: 'model_not_found', isRetryable: false, isTargetUnavailable: true }],
  ] as const)('HTTP %i becomes %o', async (status, expected) => {
    fake.enqueue({ fault: { type: 'status', status } });
    const error = await compatModel()
      .chat(ask)
      .catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      ...expected,
      statusCode: status,
      provider: 'compat',
      modelId: 'gpt-4o-mini',
    });
  });

  it('carries Retry-After over as retryAfterMs', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429, retryAfter: '2' } });
    const error = await compatModel()
      .chat(ask)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 2000, isRetryable: true });
  });

  it('makes a rejected key target-unavailable, without the key in the error', async () => {
    const wrongKey = ['wrong', 'compat', 'key', '0123456789'].join('-');
    // `other` checks no key, so the scripted 401 (which echoes the key, as some upstreams do) answers.
    other.enqueue({
      fault: { type: 'status', status: 401, message: `Incorrect API key provided: ${wrongKey}` },
    });
    const error = await compatModel(wrongKey, other)
      .chat(ask)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'authentication_failed',
      isTargetUnavailable: true,
      statusCode: 401,
    });
    const everything = JSON.stringify({
      error,
      message: (error as Error).message,
      cause: String((error as Error).cause),
    });
    expect(everything).not.toContain(wrongKey);
  });

  it('reports a refused connection as a retryable network error', async () => {
    const closed = await startFakeOpenAI();
    const url = closed.url;
    await closed.close();
    const model = createChatModelFromAiSdk(
      createOpenAICompatible({ name: 'gone', baseURL: `${url}/v1` }).chatModel('gpt-4o-mini'),
    );
    const error = await model.chat(ask).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'network_error', isRetryable: true });
  });

  it('reports an error in the middle of a stream as a Ballast error', async () => {
    fake.enqueue({ text: 'this stream breaks', fault: { type: 'malformed-json' } });
    const error = await collectStream(compatModel().stream(ask)).catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ isRetryable: true });
  });
});

describe('abort and timeout', () => {
  it('ends a stream with AbortedError when the caller aborts mid-stream, and closes the request', async () => {
    // 1 000 chunks, 200 ms apart: minutes of streaming unless the abort reaches the HTTP request.
    fake.enqueue({ text: 'ab'.repeat(1_000), chunkSize: 2, chunkDelayMs: 200 });
    const controller = new AbortController();
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of compatModel().stream(ask, { signal: controller.signal })) {
        if (chunk.type === 'text-delta') {
          received.push(chunk.text);
          controller.abort();
        }
      }
    })().catch((caught: unknown) => caught);
    expect(AbortedError.isInstance(error)).toBe(true);
    expect(received).toEqual(['ab']); // the abort wins over any chunk already buffered
    await fake.whenIdle();
    expect(fake.inFlight).toBe(0);
  });

  it('aborts a call that never answers', async () => {
    fake.enqueue({ fault: { type: 'hang' } });
    const controller = new AbortController();
    const pending = compatModel().chat(ask, { signal: controller.signal });
    await expect.poll(() => fake.inFlight, { timeout: 15_000 }).toBe(1);
    controller.abort();
    await expect(pending).rejects.toSatisfy(AbortedError.isInstance);
    await fake.whenIdle();
  });
});

describe('an AI SDK model as a balancer target', () => {
  const ballastBackup = () =>
    createOpenAI({
      name: 'backup',
      apiKey: 'test-backup-key',
      baseURL: `${other.url}/v1`,
      pricing,
    }).chatModel('gpt-4o-mini');

  const balancerOf = (first: 'compat' | 'backup') => {
    const targets = [
      { id: 'compat', model: compatModel(), priority: first === 'compat' ? 0 : 1 },
      { id: 'backup', model: ballastBackup(), priority: first === 'backup' ? 0 : 1 },
    ];
    return createBalancer({
      name: 'mixed',
      strategy: 'failover',
      targets,
      retry: { maxRetriesPerTarget: 0, baseDelayMs: 1, maxDelayMs: 2 },
      pricing,
    });
  };

  it('fails over from the AI SDK target to a Ballast adapter when it is down', async () => {
    fake.enqueue({ fault: { type: 'status', status: 503 } });
    other.enqueue({ text: 'backup answered' });
    const result = await balancerOf('compat').chat(ask);
    expect(result.text).toBe('backup answered');
    expect(result.route.attempts.map((attempt) => [attempt.target, attempt.outcome])).toEqual([
      ['compat', 'overloaded'],
      ['backup', 'success'],
    ]);
  });

  it('serves a stream from the AI SDK target after the Ballast adapter failed', async () => {
    other.enqueue({ fault: { type: 'status', status: 500 } });
    fake.enqueue({ text: 'the AI SDK target answered', usage: { inputTokens: 3, outputTokens: 5 } });
    const result = await collectStream(balancerOf('backup').stream(ask));
    expect(result.text).toBe('the AI SDK target answered');
    expect(result.provider).toBe('compat');
    expect(result.usage.totalTokens).toBe(8);
    expect((result as typeof result & { route: { target: string } }).route.target).toBe('compat');
  });

  it('retries a rate-limited AI SDK target after its Retry-After when it is the only one', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429, retryAfter: '0' } }, { text: 'second try' });
    const balancer = createBalancer({
      name: 'single',
      targets: [{ id: 'compat', model: compatModel() }],
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
      pricing,
    });
    const result = await balancer.chat(ask);
    expect(result.text).toBe('second try');
    expect(result.route.attempts.map((attempt) => attempt.outcome)).toEqual(['rate_limited', 'success']);
  });
});
