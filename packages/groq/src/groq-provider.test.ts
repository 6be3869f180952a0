import {
  AbortedError,
  ApiCallError,
  ConfigError,
  collectStream,
  generateObject,
  TimeoutError,
} from '@ballast/core';
import { type FakeLlmServer, startFakeGroq } from '@ballast/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createGroq } from './groq-provider';

const apiKey = 'test-groq-key-not-real';
let fake: FakeLlmServer;
const model = (id = 'llama-3.3-70b-versatile') => createGroq({ apiKey, baseURL: fake.url }).chatModel(id);
const ask = { messages: [{ role: 'user' as const, content: 'Hello' }] };
const body = (index: number) => fake.requests[index]?.body as Record<string, unknown>;

beforeAll(async () => {
  fake = await startFakeGroq({ apiKey });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

describe('Groq chat', () => {
  it('returns text, usage and cost from the official SDK over loopback', async () => {
    fake.enqueue({ text: 'fast answer', usage: { inputTokens: 2_000_000, outputTokens: 1_000_000 } });
    const result = await model().chat({ ...ask, maxTokens: 64 });
    expect(result).toMatchObject({
      text: 'fast answer',
      provider: 'groq',
      modelId: 'llama-3.3-70b-versatile',
    });
    expect(result.costUsd).toBeCloseTo(2 * 0.59 + 0.79, 9);
    expect(fake.requests[0]?.path).toBe('/openai/v1/chat/completions');
    expect(body(0).max_completion_tokens).toBe(64);
  });

  it('calls tools and sends their results back', async () => {
    fake.enqueue(
      { toolCalls: [{ id: 'call_g1', name: 'get_load', arguments: { node: 'pve2' } }] },
      { text: 'done' },
    );
    const tools = [
      { name: 'get_load', parameters: { type: 'object', properties: { node: { type: 'string' } } } },
    ];
    const first = await model().chat({ ...ask, tools, toolChoice: 'required' });
    expect(first.toolCalls[0]).toMatchObject({ id: 'call_g1', arguments: { node: 'pve2' } });
    expect(body(0).tool_choice).toBe('required');
    await model().chat({
      messages: [
        ...ask.messages,
        { role: 'assistant', content: '', toolCalls: first.toolCalls },
        { role: 'tool', toolCallId: 'call_g1', toolName: 'get_load', content: '0.3' },
      ],
    });
    expect((body(1).messages as unknown[])[2]).toEqual({
      role: 'tool',
      tool_call_id: 'call_g1',
      content: '0.3',
    });
  });

  it('streams and reads usage from x_groq', async () => {
    fake.enqueue({ text: 'streamed from groq', usage: { inputTokens: 12, outputTokens: 4 } });
    const result = await collectStream(model().stream(ask));
    expect(result.text).toBe('streamed from groq');
    expect(result.usage).toMatchObject({ inputTokens: 12, outputTokens: 4, totalTokens: 16 });
    expect(body(0).stream_options).toBeUndefined();
  });

  it('produces objects through JSON mode with the schema in the prompt', async () => {
    fake.enqueue({ text: '{"replicas": "three"}' }, { text: '{"replicas": 3}' });
    const { object, calls, mode } = await generateObject(model(), {
      schema: z.object({ replicas: z.number().int() }),
      prompt: 'How many?',
      mode: 'json',
    });
    expect({ object, calls, mode }).toEqual({ object: { replicas: 3 }, calls: 2, mode: 'json' });
    expect(body(0).response_format).toEqual({ type: 'json_object' });
  });
});

describe('Groq errors', () => {
  it('treats tool_use_failed as a retryable model_tool_error', async () => {
    fake.enqueue({ fault: { type: 'status', status: 400, code: 'tool_use_failed' } });
    const error = (await model()
      .chat(ask)
      .catch((caught: unknown) => caught)) as ApiCallError;
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error).toMatchObject({ code: 'model_tool_error', isRetryable: true, statusCode: 400 });
    expect(error.responseBody).toContain('failed_generation');
  });

  it('treats a decommissioned model as model_not_found for that target', async () => {
    fake.enqueue({ fault: { type: 'status', status: 400, code: 'model_decommissioned' } });
    const error = await model('mixtral-8x7b-32768')
      .chat(ask)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'model_not_found', isRetryable: false, isTargetUnavailable: true });
  });

  it('maps 429 with Retry-After, 500 and 503', async () => {
    fake.enqueue(
      { fault: { type: 'status', status: 429, retryAfter: '2' } },
      { fault: { type: 'status', status: 500 } },
      { fault: { type: 'status', status: 503 } },
    );
    expect(
      await model()
        .chat(ask)
        .catch((caught: unknown) => caught),
    ).toMatchObject({ code: 'rate_limited', retryAfterMs: 2000 });
    expect(
      await model()
        .chat(ask)
        .catch((caught: unknown) => caught),
    ).toMatchObject({ code: 'server_error', isRetryable: true });
    expect(
      await model()
        .chat(ask)
        .catch((caught: unknown) => caught),
    ).toMatchObject({ code: 'overloaded', isRetryable: true });
  });

  it('maps a wrong key to authentication_failed without echoing it', async () => {
    const wrong = 'wrong-groq-key-not-real';
    const error = (await createGroq({ apiKey: wrong, baseURL: fake.url })
      .chatModel('llama-3.1-8b-instant')
      .chat(ask)
      .catch((caught: unknown) => caught)) as ApiCallError;
    expect(error.code).toBe('authentication_failed');
    expect(JSON.stringify(error.toJSON()) + error.message).not.toContain(wrong);
  });

  it('maps resets, malformed bodies and cut streams to retryable errors', async () => {
    fake.enqueue({ fault: { type: 'reset' } }, { fault: { type: 'malformed-json' } });
    expect(
      await model()
        .chat(ask)
        .catch((caught: unknown) => caught),
    ).toMatchObject({ code: 'network_error', isRetryable: true });
    expect(
      await model()
        .chat(ask)
        .catch((caught: unknown) => caught),
    ).toMatchObject({ isRetryable: true });
    fake.enqueue({ text: 'cut short here', chunkSize: 2, fault: { type: 'cut-stream', afterChunks: 2 } });
    expect(await collectStream(model().stream(ask)).catch((caught: unknown) => caught)).toMatchObject({
      isRetryable: true,
    });
  });

  it('aborts and times out hung calls', async () => {
    fake.enqueue({ fault: { type: 'hang' } }, { fault: { type: 'hang' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(model().chat(ask, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    await expect(model().chat(ask, { timeoutMs: 40 })).rejects.toBeInstanceOf(TimeoutError);
  });

  it('requires a key and a model id', () => {
    expect(() => createGroq({}, {})).toThrow(/GROQ_API_KEY/);
    expect(() => createGroq({ apiKey }).chatModel(' ')).toThrow(ConfigError);
  });

  it('takes only an http(s) baseURL and refuses unknown settings', () => {
    expect(() => createGroq({ apiKey, baseURL: 'ftp://groq.example/openai/v1' })).toThrow(/baseURL/);
    expect(() => createGroq({ apiKey, baseUrl: 'https://proxy.example/openai/v1' } as never)).toThrow(
      /baseUrl/,
    );
  });
});

describe('custom fetch', () => {
  it('sends every request through the fetch it is given (a proxy or tracer)', async () => {
    const seen: string[] = [];
    const tracingFetch: typeof fetch = (input, init) => {
      seen.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    fake.enqueue({ text: 'traced' });
    const traced = createGroq({ apiKey, baseURL: fake.url, fetch: tracingFetch }).chatModel(
      'llama-3.3-70b-versatile',
    );
    expect((await traced.chat({ messages: [{ role: 'user', content: 'hi' }] })).text).toBe('traced');
    expect(seen).toEqual([`${fake.url}/openai/v1/chat/completions`]);
  });

  it('refuses a fetch that is not a function', () => {
    expect(() => createGroq({ apiKey, fetch: 'nope' as never })).toThrow(/fetch: must be a function/);
  });
});
