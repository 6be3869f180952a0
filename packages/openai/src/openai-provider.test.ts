import {
  AbortedError,
  ApiCallError,
  BallastError,
  ConfigError,
  collectStream,
  generateObject,
  NoObjectGeneratedError,
  TimeoutError,
} from '@ballast/core';
import { type FakeLlmServer, startFakeOpenAI } from '@ballast/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOpenAI, createOpenAICompatible } from './openai-provider';

const apiKey = 'sk-test-0123456789abcdefghijklmnop';
let fake: FakeLlmServer;
const model = () =>
  createOpenAI({ apiKey, baseURL: `${fake.url}/v1`, name: 'openai' }).chatModel('gpt-4o-mini');
const ask = { messages: [{ role: 'user' as const, content: 'Hello' }] };

beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

describe('OpenAI chat', () => {
  it('returns normalized text, finish reason, usage, cost and latency', async () => {
    fake.enqueue({
      text: 'Hi there',
      usage: { inputTokens: 1000, outputTokens: 500, cachedInputTokens: 200 },
    });
    const result = await model().chat({ ...ask, temperature: 0.1, maxTokens: 50 });
    expect(result.text).toBe('Hi there');
    expect(result.finishReason).toEqual({ unified: 'stop', raw: 'stop' });
    expect(result.usage).toEqual({
      inputTokens: 1000,
      outputTokens: 500,
      cachedInputTokens: 200,
      reasoningTokens: 0,
      totalTokens: 1500,
    });
    // gpt-4o-mini: $0.15/M input, $0.075/M cached, $0.60/M output
    expect(result.costUsd).toBeCloseTo((800 * 0.15 + 200 * 0.075 + 500 * 0.6) / 1e6, 12);
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result.provider).toBe('openai');
    expect(result.responseId).toMatch(/^chatcmpl-/);
    const sent = fake.requests[0]?.body as Record<string, unknown>;
    expect(sent).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.1, max_tokens: 50, stream: false });
  });

  it('uses a host pricing override and reports unknown prices as undefined', async () => {
    fake.enqueue({ text: 'a', usage: { inputTokens: 1_000_000, outputTokens: 0 } }, { text: 'b' });
    const priced = createOpenAI({
      apiKey,
      baseURL: `${fake.url}/v1`,
      pricing: { openai: { 'my-tune': { inputPerMillion: 3, outputPerMillion: 12 } } },
    });
    expect((await priced.chatModel('my-tune').chat(ask)).costUsd).toBe(3);
    expect((await priced.chatModel('unpriced-model').chat(ask)).costUsd).toBeUndefined();
  });

  it('sends tools, parses tool calls and round-trips tool results', async () => {
    fake.enqueue({ toolCalls: [{ id: 'call_1', name: 'get_load', arguments: { node: 'pve1' } }] });
    const tools = [
      { name: 'get_load', description: 'Node load', parameters: z.object({ node: z.string() }) },
    ];
    const first = await model().chat({ ...ask, tools, toolChoice: 'auto' });
    expect(first.finishReason.unified).toBe('tool-calls');
    expect(first.toolCalls).toEqual([
      { id: 'call_1', name: 'get_load', arguments: { node: 'pve1' }, rawArguments: '{"node":"pve1"}' },
    ]);
    const sentTools = (fake.requests[0]?.body as { tools: unknown[] }).tools;
    expect(sentTools[0]).toMatchObject({
      type: 'function',
      function: {
        name: 'get_load',
        parameters: { type: 'object', properties: { node: { type: 'string' } } },
      },
    });

    fake.enqueue({ text: 'pve1 is at 40 %' });
    const second = await model().chat({
      messages: [
        ...ask.messages,
        { role: 'assistant', content: '', toolCalls: first.toolCalls },
        { role: 'tool', toolCallId: 'call_1', toolName: 'get_load', content: '{"cpu":0.4}' },
      ],
      tools,
    });
    expect(second.text).toBe('pve1 is at 40 %');
    const messages = (fake.requests[1]?.body as { messages: unknown[] }).messages;
    expect(messages[1]).toMatchObject({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', function: { name: 'get_load', arguments: '{"node":"pve1"}' } }],
    });
    expect(messages[2]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: '{"cpu":0.4}' });
  });

  it('keeps malformed tool arguments visible instead of throwing', async () => {
    fake.enqueue({ toolCalls: [{ name: 'broken', arguments: '{"node": "pve1"' }] });
    const [call] = (await model().chat(ask)).toolCalls;
    expect(call?.arguments).toEqual({});
    expect(call?.rawArguments).toBe('{"node": "pve1"');
    expect(call?.argumentsError).toMatch(/not valid JSON/);
  });

  it('maps json mode and json schema response formats', async () => {
    fake.enqueue({ text: '{"a":1}' }, { text: '{"a":1}' });
    await model().chat({ ...ask, responseFormat: { type: 'json' } });
    await model().chat({
      ...ask,
      responseFormat: { type: 'json', schema: z.object({ a: z.number() }), name: 'thing' },
    });
    expect((fake.requests[0]?.body as Record<string, unknown>).response_format).toEqual({
      type: 'json_object',
    });
    expect((fake.requests[1]?.body as Record<string, unknown>).response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'thing', schema: { type: 'object', required: ['a'] } },
    });
  });

  it('passes per-call headers', async () => {
    fake.enqueue({ text: 'ok' });
    await model().chat(ask, { headers: { 'x-tenant': 'blue' } });
    expect(fake.requests[0]?.headers['x-tenant']).toBe('blue');
  });
});

describe('OpenAI streaming', () => {
  it('streams text deltas and ends with a finish chunk carrying usage and time to first token', async () => {
    fake.enqueue({ text: 'Streaming works', chunkSize: 3, usage: { inputTokens: 10, outputTokens: 5 } });
    const chunks = [];
    for await (const chunk of model().stream(ask)) chunks.push(chunk);
    const deltas = chunks.filter((chunk) => chunk.type === 'text-delta');
    expect(deltas.map((chunk) => chunk.text).join('')).toBe('Streaming works');
    expect(deltas.length).toBe(5);
    const finish = chunks.at(-1);
    expect(finish?.type).toBe('finish');
    if (finish?.type !== 'finish') return;
    expect(finish.result.text).toBe('Streaming works');
    expect(finish.result.usage.totalTokens).toBe(15);
    expect(finish.result.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(finish.result.timeToFirstTokenMs).toBeLessThanOrEqual(finish.result.latencyMs);
    expect((fake.requests[0]?.body as Record<string, unknown>).stream_options).toEqual({
      include_usage: true,
    });
  });

  it('assembles tool calls from argument fragments', async () => {
    fake.enqueue({
      toolCalls: [
        { id: 'call_a', name: 'migrate', arguments: { vmid: 101, target: 'pve2' } },
        { id: 'call_b', name: 'migrate', arguments: { vmid: 102, target: 'pve3' } },
      ],
      chunkSize: 5,
    });
    const chunks = [];
    for await (const chunk of model().stream(ask)) chunks.push(chunk);
    expect(chunks.filter((chunk) => chunk.type === 'tool-call-delta').length).toBeGreaterThan(4);
    const calls = chunks.flatMap((chunk) => (chunk.type === 'tool-call' ? [chunk.toolCall] : []));
    expect(calls.map((call) => [call.id, call.arguments])).toEqual([
      ['call_a', { vmid: 101, target: 'pve2' }],
      ['call_b', { vmid: 102, target: 'pve3' }],
    ]);
  });

  it('fails with a retryable error when the stream is cut mid-way', async () => {
    fake.enqueue({
      text: 'this will be cut off',
      chunkSize: 2,
      fault: { type: 'cut-stream', afterChunks: 3 },
    });
    const error = await collectStream(model().stream(ask)).catch((caught: unknown) => caught);
    expect(BallastError.isInstance(error)).toBe(true);
    expect((error as BallastError).isRetryable).toBe(true);
  });

  it('treats a stream that ends without a finish reason as a retryable invalid response', async () => {
    fake.enqueue({
      text: 'unfinished answer',
      chunkSize: 2,
      fault: { type: 'end-stream-early', afterChunks: 3 },
    });
    const error = await collectStream(model().stream(ask)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiCallError);
    expect((error as ApiCallError).code).toBe('invalid_response');
    expect((error as ApiCallError).isRetryable).toBe(true);
  });

  it('reports a malformed event as a retryable invalid response, the SDK logging to our logger', async () => {
    fake.enqueue({ text: 'x', fault: { type: 'malformed-json' } });
    // The SDK logs the unparsable event before throwing: route it here instead of stderr.
    const logged: string[] = [];
    const note = (message: string) => {
      logged.push(message);
    };
    const quiet = createOpenAI({
      apiKey,
      baseURL: `${fake.url}/v1`,
      logger: { error: note, warn: note, info: note, debug: note },
    }).chatModel('gpt-4o-mini');
    const error = await collectStream(quiet.stream(ask)).catch((caught: unknown) => caught);
    expect((error as ApiCallError).code).toBe('invalid_response');
    expect(logged).toContain('Could not parse message into JSON:');
  });

  it('passes logLevel and refuses a logger without the four levels', () => {
    expect(() => createOpenAI({ apiKey, logLevel: 'off' })).not.toThrow();
    expect(() => createOpenAI({ apiKey, logger: { error() {} } as never })).toThrow(ConfigError);
  });

  it('aborts the HTTP request when the consumer stops reading', async () => {
    fake.enqueue({ text: 'a long answer that nobody reads to the end', chunkSize: 1, chunkDelayMs: 5 });
    for await (const chunk of model().stream(ask)) {
      if (chunk.type === 'text-delta') break;
    }
    // The next call still works: nothing is left hanging.
    fake.enqueue({ text: 'next' });
    expect((await model().chat(ask)).text).toBe('next');
  });
});

describe('OpenAI errors', () => {
  const cases = [
    { status: 400, code: 'bad_request', retryable: false, unavailable: false },
    { status: 401, code: 'authentication_failed', retryable: false, unavailable: true },
    { status: 403, code: 'permission_denied', retryable: false, unavailable: true },
    { status: 404, code: 'model_not_found', retryable: false, unavailable: true },
    { status: 408, code: 'request_timeout', retryable: true, unavailable: false },
    { status: 409, code: 'conflict', retryable: true, unavailable: false },
    { status: 429, code: 'rate_limited', retryable: true, unavailable: false },
    { status: 500, code: 'server_error', retryable: true, unavailable: false },
    { status: 503, code: 'overloaded', retryable: true, unavailable: false },
  ] as const;

  it.each(cases)('maps HTTP $status to $code', async ({ status, code, retryable, unavailable }) => {
    fake.enqueue({ fault: { type: 'status', status } });
    const error = await model()
      .chat(ask)
      .catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code,
      statusCode: status,
      isRetryable: retryable,
      isTargetUnavailable: unavailable,
    });
  });

  it('honours Retry-After on 429', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429, retryAfter: '7' } });
    const error = (await model()
      .chat(ask)
      .catch((caught: unknown) => caught)) as ApiCallError;
    expect(error.retryAfterMs).toBe(7000);
    expect(error.requestId).toMatch(/^req_/);
  });

  it('treats insufficient_quota as an unavailable target, not a retry', async () => {
    fake.enqueue({
      fault: {
        type: 'status',
        status: 429,
        code: 'insufficient_quota',
        message: 'You exceeded your current quota',
      },
    });
    const error = (await model()
      .chat(ask)
      .catch((caught: unknown) => caught)) as ApiCallError;
    expect(error).toMatchObject({ code: 'quota_exhausted', isRetryable: false, isTargetUnavailable: true });
  });

  it('maps a wrong key to authentication_failed without leaking it', async () => {
    const wrongKey = 'sk-wrong-key-abcdefghijklmnopqrstuv';
    const error = (await createOpenAI({ apiKey: wrongKey, baseURL: `${fake.url}/v1` })
      .chatModel('gpt-4o-mini')
      .chat(ask)
      .catch((caught: unknown) => caught)) as ApiCallError;
    expect(error.code).toBe('authentication_failed');
    const everything = `${error.message} ${JSON.stringify(error.toJSON())} ${error.responseBody ?? ''}`;
    expect(everything).not.toContain(wrongKey);
  });

  it('maps a connection reset to a retryable network error', async () => {
    fake.enqueue({ fault: { type: 'reset' } });
    const error = await model()
      .chat(ask)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'network_error', isRetryable: true });
  });

  it('maps a refused connection to a retryable network error', async () => {
    const error = await createOpenAI({ apiKey, baseURL: 'http://127.0.0.1:9/v1' })
      .chatModel('gpt-4o-mini')
      .chat(ask)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'network_error', isRetryable: true });
  });

  it('maps a malformed JSON body to a retryable invalid response', async () => {
    fake.enqueue({ fault: { type: 'malformed-json' } });
    const error = await model()
      .chat(ask)
      .catch((caught: unknown) => caught);
    expect(BallastError.isInstance(error)).toBe(true);
    expect((error as BallastError).isRetryable).toBe(true);
  });

  it('aborts through the caller signal', async () => {
    fake.enqueue({ fault: { type: 'hang' } });
    const controller = new AbortController();
    const pending = model().chat(ask, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    // The fake never answers: only the abort can end this call (the test timeout bounds it).
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });

  it('rejects immediately with an already-aborted signal', async () => {
    await expect(model().chat(ask, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
  });

  it('times out a hung call', async () => {
    fake.enqueue({ fault: { type: 'hang' } });
    const error = await model()
      .chat(ask, { timeoutMs: 50 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).isRetryable).toBe(true);
  });

  it('times out a stream that stalls after its first token', async () => {
    fake.enqueue({ text: 'slow stream', chunkSize: 1, chunkDelayMs: 200 });
    const error = await collectStream(model().stream(ask, { timeoutMs: 100 })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it('rejects invalid settings and model ids with a ConfigError', () => {
    expect(() => createOpenAI({ apiKey, baseURL: 'not a url' })).toThrow(ConfigError);
    expect(() => createOpenAI({ apiKey }).chatModel('')).toThrow(ConfigError);
    expect(() => createOpenAI({}, {})).toThrow(/OPENAI_API_KEY/);
    // Only http(s) endpoints, and a misspelt key is an error rather than a silent fall-back to api.openai.com.
    for (const baseURL of ['ftp://gpu-box/v1', 'file:///etc/passwd', 'javascript:alert(1)'])
      expect(() => createOpenAI({ apiKey, baseURL }), baseURL).toThrow(
        /baseURL: must be an absolute http\(s\) URL/,
      );
    expect(() => createOpenAI({ apiKey, baseUrl: 'http://127.0.0.1:8000/v1' } as never)).toThrow(/baseUrl/);
  });

  it('rejects an invalid timeout with a ValidationError', async () => {
    await expect(model().chat(ask, { timeoutMs: -1 })).rejects.toMatchObject({ code: 'validation_failed' });
  });
});

describe('OpenAI-compatible endpoints', () => {
  it('serves xAI-style presets with their own provider name and max_tokens', async () => {
    fake.enqueue({ text: 'grok says hi' });
    const grok = createOpenAICompatible('xai', { apiKey, baseURL: `${fake.url}/v1` }).chatModel(
      'grok-3-mini',
    );
    const result = await grok.chat({ ...ask, maxTokens: 10 });
    expect(result).toMatchObject({ provider: 'xai', modelId: 'grok-3-mini', text: 'grok says hi' });
    expect((fake.requests[0]?.body as Record<string, unknown>).max_tokens).toBe(10);
  });

  it('names an unknown preset, an inherited property name included, in a ConfigError', () => {
    for (const preset of ['nope', 'constructor', 'toString', '__proto__'])
      expect(() => createOpenAICompatible(preset as never, { apiKey }), preset).toThrow(
        /Unknown OpenAI-compatible preset/,
      );
  });
});

describe('generateObject over OpenAI', () => {
  const schema = z.object({ node: z.string(), cpu: z.number().min(0).max(1) });

  it('uses native json_schema mode and returns the validated object', async () => {
    fake.enqueue({ text: '{"node":"pve1","cpu":0.42}' });
    const { object, calls, mode } = await generateObject(model(), { schema, prompt: 'Busiest node?' });
    expect(object).toEqual({ node: 'pve1', cpu: 0.42 });
    expect({ calls, mode }).toEqual({ calls: 1, mode: 'json-schema' });
  });

  it('repairs an invalid first answer by re-asking with the validation errors', async () => {
    fake.enqueue(
      { text: 'Sure! ```json\n{"node":"pve1","cpu":4.2}\n```' },
      { text: '{"node":"pve1","cpu":0.42}' },
    );
    const result = await generateObject(model(), { schema, prompt: 'Busiest node?' });
    expect(result.object.cpu).toBe(0.42);
    expect(result.calls).toBe(2);
    expect(result.rejectedAttempts[0]?.issues[0]?.path).toBe('cpu');
    const reAsk = (
      fake.requests[1]?.body as { messages: Array<{ role: string; content: string }> }
    ).messages.at(-1);
    expect(reAsk?.content).toMatch(/cpu/);
  });

  it('fails with NoObjectGeneratedError on hopeless answers, never a made-up object', async () => {
    fake.enqueue({ text: 'I cannot answer that.' }, { text: 'no' }, { text: '{"node": 5}' });
    const error = await generateObject(model(), { schema, prompt: 'Busiest node?', maxRepairs: 2 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(NoObjectGeneratedError);
    expect((error as NoObjectGeneratedError).attempts).toHaveLength(3);
  });
});
