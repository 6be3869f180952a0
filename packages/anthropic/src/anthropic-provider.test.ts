import {
  AbortedError,
  ApiCallError,
  BallastError,
  type ChatChunk,
  ConfigError,
  collectStream,
  generateObject,
  NoObjectGeneratedError,
  TimeoutError,
} from '@ballast/core';
import { type FakeLlmServer, startFakeAnthropic } from '@ballast/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAnthropic } from './anthropic-provider';

const apiKey = 'test-anthropic-key-not-real';
let fake: FakeLlmServer;
const model = (modelId = 'claude-sonnet-4-6') =>
  createAnthropic({ apiKey, baseURL: fake.url }).chatModel(modelId);
const ask = { messages: [{ role: 'user' as const, content: 'Hello' }] };
type WireBody = Record<string, unknown> & { messages: Array<{ role: string; content: unknown }> };
const sentBody = (index = 0) => fake.requests[index]?.body as WireBody;

async function readAll(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

describe('Anthropic chat', () => {
  it('returns normalized text, finish reason, usage with cache reads, cost and latency', async () => {
    fake.enqueue({
      text: 'Hi there',
      usage: { inputTokens: 1000, outputTokens: 500, cachedInputTokens: 200 },
    });
    const result = await model().chat({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
      stopSequences: ['END'],
    });
    expect(result.text).toBe('Hi there');
    expect(result.finishReason).toEqual({ unified: 'stop', raw: 'end_turn' });
    expect(result.usage).toEqual({
      inputTokens: 1000,
      outputTokens: 500,
      cachedInputTokens: 200,
      reasoningTokens: undefined,
      totalTokens: 1500,
    });
    // claude-sonnet-4*: $3/M input, $0.30/M cache reads, $15/M output
    expect(result.costUsd).toBeCloseTo((800 * 3 + 200 * 0.3 + 500 * 15) / 1e6, 12);
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result).toMatchObject({ provider: 'anthropic', modelId: 'claude-sonnet-4-6' });
    expect(result.responseId).toMatch(/^msg_01/);
    expect(result.raw).toMatchObject({ type: 'message', role: 'assistant' });

    const request = fake.requests[0];
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(request?.body).toEqual({
      model: 'claude-sonnet-4-6',
      max_tokens: 4096,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello' }],
      stop_sequences: ['END'],
    });
  });

  it('sends maxTokens, never the sampling parameters API 2026-10-21 rejects, and lifts the SDK long-request guard', async () => {
    fake.enqueue({ text: 'a' }, { text: 'b' });
    await model().chat({ ...ask, maxTokens: 50, temperature: 0.2, topP: 0.9, seed: 7 });
    expect(sentBody()).toMatchObject({ max_tokens: 50 });
    for (const field of ['temperature', 'top_p', 'top_k', 'seed'])
      expect(sentBody()).not.toHaveProperty(field);
    // The SDK refuses plain (non-streaming) calls with a large max_tokens unless a timeout is set.
    expect((await model().chat({ ...ask, maxTokens: 64_000 })).text).toBe('b');
  });

  it('uses defaultMaxTokens, a host pricing override, and reports unknown prices as undefined', async () => {
    fake.enqueue({ text: 'a', usage: { inputTokens: 1_000_000, outputTokens: 0 } }, { text: 'b' });
    const priced = createAnthropic({
      apiKey,
      baseURL: fake.url,
      defaultMaxTokens: 1024,
      pricing: { anthropic: { 'my-claude': { inputPerMillion: 3, outputPerMillion: 15 } } },
    });
    expect((await priced.chatModel('my-claude').chat(ask)).costUsd).toBe(3);
    expect(sentBody()).toMatchObject({ max_tokens: 1024 });
    expect((await priced.chatModel('claude-unpriced').chat(ask)).costUsd).toBeUndefined();
  });

  it('reads the key from ANTHROPIC_API_KEY', async () => {
    fake.enqueue({ text: 'from env' });
    const fromEnv = createAnthropic({ baseURL: fake.url }, { ANTHROPIC_API_KEY: apiKey });
    expect((await fromEnv.chatModel('claude-haiku-4-5').chat(ask)).text).toBe('from env');
  });

  it('maps images to base64 and url sources, including data: URLs', async () => {
    fake.enqueue({ text: 'a cat' });
    await model().chat({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
            { type: 'image', url: 'https://example.com/cat.jpg' },
            { type: 'image', url: 'data:image/webp;base64,UklGRg==' },
          ],
        },
      ],
    });
    expect(sentBody().messages[0]?.content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklGRg==' } },
    ]);
  });

  it('maps finish reasons: max_tokens to length, refusal to content-filter', async () => {
    fake.enqueue({ text: 'cut', finish: 'length' }, { text: '', finish: 'content_filter' });
    expect((await model().chat(ask)).finishReason).toEqual({ unified: 'length', raw: 'max_tokens' });
    expect((await model().chat(ask)).finishReason).toEqual({ unified: 'content-filter', raw: 'refusal' });
  });

  it('passes per-call headers and settings headers', async () => {
    fake.enqueue({ text: 'ok' });
    await createAnthropic({ apiKey, baseURL: fake.url, headers: { 'anthropic-beta': 'some-beta' } })
      .chatModel('claude-sonnet-4-6')
      .chat(ask, { headers: { 'x-tenant': 'blue' } });
    expect(fake.requests[0]?.headers['x-tenant']).toBe('blue');
    expect(fake.requests[0]?.headers['anthropic-beta']).toBe('some-beta');
  });

  it('asks for JSON through system instructions, or native structured output when enabled', async () => {
    const schema = z.object({ a: z.number() });
    fake.enqueue({ text: '{"a":1}' }, { text: '{"a":1}' });
    await model().chat({ ...ask, responseFormat: { type: 'json', schema } });
    expect(sentBody().system).toMatch(/JSON Schema/);
    expect(sentBody()).not.toHaveProperty('output_config');
    const native = createAnthropic({ apiKey, baseURL: fake.url }).chatModel('claude-sonnet-4-6', {
      capabilities: { jsonSchema: true },
    });
    await native.chat({ ...ask, responseFormat: { type: 'json', schema } });
    expect(sentBody(1).output_config).toMatchObject({
      format: { type: 'json_schema', schema: { type: 'object', required: ['a'] } },
    });
  });
});

describe('Anthropic tools', () => {
  const tools = [{ name: 'get_load', description: 'Node load', parameters: z.object({ node: z.string() }) }];

  it('sends tools, parses tool_use blocks and round-trips tool results as tool_result blocks', async () => {
    fake.enqueue({
      text: 'Let me check both.',
      toolCalls: [
        { id: 'toolu_01A', name: 'get_load', arguments: { node: 'pve1' } },
        { id: 'toolu_01B', name: 'get_load', arguments: { node: 'pve2' } },
      ],
    });
    const first = await model().chat({ ...ask, tools, toolChoice: 'auto' });
    expect(first.finishReason).toEqual({ unified: 'tool-calls', raw: 'tool_use' });
    expect(first.text).toBe('Let me check both.');
    expect(first.toolCalls).toEqual([
      { id: 'toolu_01A', name: 'get_load', arguments: { node: 'pve1' }, rawArguments: '{"node":"pve1"}' },
      { id: 'toolu_01B', name: 'get_load', arguments: { node: 'pve2' }, rawArguments: '{"node":"pve2"}' },
    ]);
    expect(sentBody().tools).toEqual([
      {
        name: 'get_load',
        description: 'Node load',
        input_schema: expect.objectContaining({ type: 'object', properties: { node: { type: 'string' } } }),
      },
    ]);
    expect(sentBody().tool_choice).toEqual({ type: 'auto' });

    fake.enqueue({ text: 'pve1 is at 40 %, pve2 is down' });
    const second = await model().chat({
      messages: [
        ...ask.messages,
        { role: 'assistant', content: first.text, toolCalls: first.toolCalls },
        { role: 'tool', toolCallId: 'toolu_01A', toolName: 'get_load', content: '{"cpu":0.4}' },
        {
          role: 'tool',
          toolCallId: 'toolu_01B',
          toolName: 'get_load',
          content: 'node unreachable',
          isError: true,
        },
      ],
      tools,
    });
    expect(second.text).toBe('pve1 is at 40 %, pve2 is down');
    expect(sentBody(1).messages).toEqual([
      { role: 'user', content: 'Hello' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check both.' },
          { type: 'tool_use', id: 'toolu_01A', name: 'get_load', input: { node: 'pve1' } },
          { type: 'tool_use', id: 'toolu_01B', name: 'get_load', input: { node: 'pve2' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01A', content: '{"cpu":0.4}' },
          { type: 'tool_result', tool_use_id: 'toolu_01B', content: 'node unreachable', is_error: true },
        ],
      },
    ]);
  });

  it('generates toolu_ ids and maps every tool choice', async () => {
    fake.enqueue(
      { toolCalls: [{ name: 'get_load', arguments: { node: 'a' } }] },
      { text: 'x' },
      { toolCalls: [{ name: 'get_load', arguments: {} }] },
    );
    const [call] = (await model().chat({ ...ask, tools, toolChoice: 'required' })).toolCalls;
    expect(call?.id).toMatch(/^toolu_/);
    await model().chat({ ...ask, tools, toolChoice: 'none' });
    await model().chat({ ...ask, tools, toolChoice: { name: 'get_load' } });
    expect(fake.requests.map((request) => (request.body as WireBody).tool_choice)).toEqual([
      { type: 'any' },
      { type: 'none' },
      { type: 'tool', name: 'get_load' },
    ]);
  });
});

describe('Anthropic streaming', () => {
  it('streams text deltas and ends with a finish chunk carrying usage and time to first token', async () => {
    fake.enqueue({
      text: 'Streaming works',
      chunkSize: 3,
      usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 4 },
    });
    const chunks = await readAll(model().stream(ask));
    const deltas = chunks.flatMap((chunk) => (chunk.type === 'text-delta' ? [chunk.text] : []));
    expect(deltas.join('')).toBe('Streaming works');
    expect(deltas).toHaveLength(5);
    const finish = chunks.at(-1);
    if (finish?.type !== 'finish') throw new Error('expected a finish chunk');
    expect(chunks.filter((chunk) => chunk.type === 'finish')).toHaveLength(1);
    expect(finish.result.text).toBe('Streaming works');
    expect(finish.result.finishReason).toEqual({ unified: 'stop', raw: 'end_turn' });
    expect(finish.result.usage).toMatchObject({
      inputTokens: 10,
      cachedInputTokens: 4,
      outputTokens: 5,
      totalTokens: 15,
    });
    expect(finish.result.costUsd).toBeCloseTo((6 * 3 + 4 * 0.3 + 5 * 15) / 1e6, 12);
    expect(finish.result.responseId).toMatch(/^msg_01/);
    expect(finish.result.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(finish.result.timeToFirstTokenMs).toBeLessThanOrEqual(finish.result.latencyMs);
    expect(sentBody()).toMatchObject({ stream: true, max_tokens: 4096 });
  });

  it('assembles tool calls from input_json_delta fragments, numbered from 0 after a text block', async () => {
    fake.enqueue({
      text: 'Migrating.',
      toolCalls: [
        { id: 'toolu_a', name: 'migrate', arguments: { vmid: 101, target: 'pve2' } },
        { id: 'toolu_b', name: 'migrate', arguments: { vmid: 102, target: 'pve3' } },
      ],
      chunkSize: 5,
    });
    const chunks = await readAll(model().stream(ask));
    const deltas = chunks.flatMap((chunk) => (chunk.type === 'tool-call-delta' ? [chunk] : []));
    expect(deltas.length).toBeGreaterThan(4);
    expect(new Set(deltas.map((delta) => delta.index))).toEqual(new Set([0, 1]));
    expect(deltas[0]).toMatchObject({ index: 0, id: 'toolu_a', name: 'migrate' });
    const calls = chunks.flatMap((chunk) => (chunk.type === 'tool-call' ? [chunk.toolCall] : []));
    expect(calls.map((call) => [call.id, call.name, call.arguments])).toEqual([
      ['toolu_a', 'migrate', { vmid: 101, target: 'pve2' }],
      ['toolu_b', 'migrate', { vmid: 102, target: 'pve3' }],
    ]);
    const finish = chunks.at(-1);
    expect(finish?.type === 'finish' && finish.result.finishReason).toEqual({
      unified: 'tool-calls',
      raw: 'tool_use',
    });
    expect(finish?.type === 'finish' && finish.result.text).toBe('Migrating.');
  });

  it('fails with a retryable error when the stream is cut mid-way', async () => {
    fake.enqueue({
      text: 'this will be cut off',
      chunkSize: 2,
      fault: { type: 'cut-stream', afterChunks: 4 },
    });
    const error = await collectStream(model().stream(ask)).catch((caught: unknown) => caught);
    expect(BallastError.isInstance(error)).toBe(true);
    expect((error as BallastError).isRetryable).toBe(true);
  });

  it('treats a stream that ends before message_delta as a retryable invalid response', async () => {
    fake.enqueue({
      text: 'unfinished answer',
      chunkSize: 2,
      fault: { type: 'end-stream-early', afterChunks: 5 },
    });
    const error = await collectStream(model().stream(ask)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error).toMatchObject({ code: 'invalid_response', isRetryable: true });
  });

  it('reports a malformed event as a retryable invalid response, the SDK logging to our logger', async () => {
    fake.enqueue({ text: 'x', fault: { type: 'malformed-json' } });
    // The SDK logs the unparsable event before throwing: route it here instead of stderr.
    const logged: string[] = [];
    const note = (message: string) => {
      logged.push(message);
    };
    const quiet = createAnthropic({
      apiKey,
      baseURL: fake.url,
      logger: { error: note, warn: note, info: note, debug: note },
    }).chatModel('claude-sonnet-4-6');
    const error = await collectStream(quiet.stream(ask)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'invalid_response', isRetryable: true });
    expect(logged).toContain('Could not parse message into JSON:');
  });

  it('maps an HTTP error on a stream request (529) to overloaded', async () => {
    fake.enqueue({ fault: { type: 'status', status: 529 } });
    const error = await collectStream(model().stream(ask)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'overloaded', statusCode: 529, isRetryable: true });
  });

  it('aborts the HTTP request when the consumer stops reading', async () => {
    fake.enqueue({ text: 'a long answer that nobody reads to the end', chunkSize: 1, chunkDelayMs: 5 });
    for await (const chunk of model().stream(ask)) {
      if (chunk.type === 'text-delta') break;
    }
    fake.enqueue({ text: 'next' });
    expect((await model().chat(ask)).text).toBe('next');
  });

  it('times out a stream that stalls after its first token', async () => {
    fake.enqueue({ text: 'slow stream', chunkSize: 1, chunkDelayMs: 200 });
    const error = await collectStream(model().stream(ask, { timeoutMs: 100 })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it('ends with AbortedError when the caller aborts mid-stream', async () => {
    fake.enqueue({ text: 'abort me please', chunkSize: 1, chunkDelayMs: 20 });
    const controller = new AbortController();
    const chunks: ChatChunk[] = [];
    const error = await (async () => {
      for await (const chunk of model().stream(ask, { signal: controller.signal })) {
        chunks.push(chunk);
        if (chunks.length === 2) controller.abort();
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortedError);
    expect(chunks.some((chunk) => chunk.type === 'finish')).toBe(false);
  });
});

describe('generateObject over Anthropic (tool mode)', () => {
  const schema = z.object({ node: z.string(), cpu: z.number().min(0).max(1) });

  it('forces a tool call and returns the validated object', async () => {
    fake.enqueue({ toolCalls: [{ name: 'result', arguments: { node: 'pve1', cpu: 0.42 } }] });
    const { object, calls, mode, costUsd } = await generateObject(model(), {
      schema,
      prompt: 'Busiest node?',
    });
    expect(object).toEqual({ node: 'pve1', cpu: 0.42 });
    expect({ calls, mode }).toEqual({ calls: 1, mode: 'tool' });
    expect(costUsd).toBeGreaterThan(0);
    expect(sentBody().tool_choice).toEqual({ type: 'tool', name: 'result' });
    expect(sentBody().tools).toEqual([
      expect.objectContaining({
        name: 'result',
        input_schema: expect.objectContaining({ required: ['node', 'cpu'] }),
      }),
    ]);
  });

  it('repairs an invalid first answer by re-asking with the validation errors in a tool_result', async () => {
    fake.enqueue(
      { toolCalls: [{ id: 'toolu_bad', name: 'result', arguments: { node: 'pve1', cpu: 4.2 } }] },
      { toolCalls: [{ id: 'toolu_good', name: 'result', arguments: { node: 'pve1', cpu: 0.42 } }] },
    );
    const result = await generateObject(model(), { schema, prompt: 'Busiest node?' });
    expect(result.object.cpu).toBe(0.42);
    expect(result.calls).toBe(2);
    expect(result.rejectedAttempts[0]?.issues[0]?.path).toBe('cpu');
    const reAsk = sentBody(1).messages;
    expect(reAsk.at(-2)).toEqual({
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_bad', name: 'result', input: { node: 'pve1', cpu: 4.2 } }],
    });
    expect(reAsk.at(-1)).toEqual({
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 'toolu_bad',
          content: expect.stringMatching(/cpu/),
          is_error: true,
        },
      ],
    });
  });

  it('fails with NoObjectGeneratedError on hopeless answers, never a made-up object', async () => {
    fake.enqueue(
      { text: 'I cannot answer that.' },
      { toolCalls: [{ name: 'result', arguments: '{"node": "pve1", "cpu": ' }] },
      { toolCalls: [{ name: 'result', arguments: { node: 5 } }] },
    );
    const error = await generateObject(model(), { schema, prompt: 'Busiest node?', maxRepairs: 2 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(NoObjectGeneratedError);
    expect((error as NoObjectGeneratedError).attempts).toHaveLength(3);
  });
});

describe('Anthropic errors', () => {
  const cases = [
    { status: 400, code: 'bad_request', retryable: false, unavailable: false },
    { status: 401, code: 'authentication_failed', retryable: false, unavailable: true },
    { status: 403, code: 'permission_denied', retryable: false, unavailable: true },
    { status: 404, code: 'model_not_found', retryable: false, unavailable: true },
    { status: 413, code: 'request_too_large', retryable: false, unavailable: false },
    { status: 429, code: 'rate_limited', retryable: true, unavailable: false },
    { status: 500, code: 'server_error', retryable: true, unavailable: false },
    { status: 529, code: 'overloaded', retryable: true, unavailable: false },
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
    expect((error as ApiCallError).requestId).toMatch(/^req_011/);
  });

  it('honours retry-after on 429', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429, retryAfter: '7' } });
    const error = (await model()
      .chat(ask)
      .catch((caught: unknown) => caught)) as ApiCallError;
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 7000 });
    expect(error.message).toMatch(/rate limit/);
  });

  it('does not retry inside the SDK: one 529 is one request', async () => {
    fake.enqueue({ fault: { type: 'status', status: 529 } }, { text: 'never fetched' });
    await expect(model().chat(ask)).rejects.toMatchObject({ code: 'overloaded' });
    expect(fake.requests).toHaveLength(1);
    expect((await model().chat(ask)).text).toBe('never fetched');
  });

  it('maps a wrong key to authentication_failed without leaking it', async () => {
    const wrongKey = 'wrong-anthropic-key-not-real';
    const error = (await createAnthropic({ apiKey: wrongKey, baseURL: fake.url })
      .chatModel('claude-sonnet-4-6')
      .chat(ask)
      .catch((caught: unknown) => caught)) as ApiCallError;
    expect(error).toMatchObject({ code: 'authentication_failed', isTargetUnavailable: true });
    const everything = `${error.message} ${JSON.stringify(error)} ${error.responseBody ?? ''} ${error.url ?? ''}`;
    expect(everything).not.toContain(wrongKey);
  });

  it('removes the key from an error body that echoes it', async () => {
    fake.enqueue({ fault: { type: 'status', status: 400, message: `bad header x-api-key: ${apiKey}` } });
    const error = (await model()
      .chat(ask)
      .catch((caught: unknown) => caught)) as ApiCallError;
    expect(error.code).toBe('bad_request');
    expect(`${error.message} ${JSON.stringify(error)} ${error.responseBody ?? ''}`).not.toContain(apiKey);
  });

  it('maps a connection reset to a retryable network error', async () => {
    fake.enqueue({ fault: { type: 'reset' } });
    await expect(model().chat(ask)).rejects.toMatchObject({ code: 'network_error', isRetryable: true });
  });

  it('maps a refused connection to a retryable network error', async () => {
    const error = await createAnthropic({ apiKey, baseURL: 'http://127.0.0.1:9' })
      .chatModel('claude-sonnet-4-6')
      .chat(ask)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'network_error', isRetryable: true });
  });

  it('maps a malformed or cut JSON body to a retryable error', async () => {
    fake.enqueue({ fault: { type: 'malformed-json' } }, { fault: { type: 'cut-stream', afterChunks: 0 } });
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await model()
        .chat(ask)
        .catch((caught: unknown) => caught);
      expect(BallastError.isInstance(error)).toBe(true);
      expect((error as BallastError).isRetryable).toBe(true);
    }
  });

  it('aborts a hung call through the caller signal, quickly', async () => {
    fake.enqueue({ fault: { type: 'hang' } });
    const controller = new AbortController();
    const pending = model().chat(ask, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    // The fake never answers: only the abort can end this call (the test timeout bounds it).
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });

  it('rejects immediately with an already-aborted signal', async () => {
    await expect(model().chat(ask, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    await expect(collectStream(model().stream(ask, { signal: AbortSignal.abort() }))).rejects.toBeInstanceOf(
      AbortedError,
    );
  });

  it('times out a hung call with a retryable TimeoutError', async () => {
    fake.enqueue({ fault: { type: 'hang' } });
    const error = await model()
      .chat(ask, { timeoutMs: 50 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).isRetryable).toBe(true);
  });

  it('rejects invalid settings and model ids with a ConfigError that echoes no secret', () => {
    expect(() => createAnthropic({}, {})).toThrow(ConfigError);
    expect(() => createAnthropic({}, {})).toThrow(/ANTHROPIC_API_KEY/);
    expect(() => createAnthropic({ apiKey }).chatModel('')).toThrow(ConfigError);
    expect(() => createAnthropic({ apiKey }).chatModel('   ')).toThrow(/model id is required/);
    expect(() => createAnthropic({ apiKey, defaultMaxTokens: 0 })).toThrow(ConfigError);
    expect(() => createAnthropic({ apiKey, baseURL: 'file:///tmp/anthropic' })).toThrow(/baseURL/);
    expect(() => createAnthropic({ apiKey, baseUrl: 'http://127.0.0.1:8080' } as never)).toThrow(/baseUrl/);
    const error = (() => {
      try {
        createAnthropic({ apiKey, baseURL: apiKey, maxRetries: -1 });
      } catch (caught) {
        return caught as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.issues.map((issue) => issue.path)).toEqual(['baseURL', 'maxRetries']);
    expect(`${error?.message} ${JSON.stringify(error)}`).not.toContain(apiKey);
  });

  it('rejects an invalid timeout with a ValidationError', async () => {
    await expect(model().chat(ask, { timeoutMs: -1 })).rejects.toMatchObject({ code: 'validation_failed' });
  });
});
