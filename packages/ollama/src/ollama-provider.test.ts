import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
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
  ValidationError,
} from '@ballast/core';
import { type FakeLlmServer, startFakeOllama } from '@ballast/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createOllama } from './ollama-provider';
import { resolveOllamaSettings } from './ollama-settings';

let fake: FakeLlmServer;
const model = () => createOllama({ host: fake.url }).chatModel('llama3.2');
const ask = { messages: [{ role: 'user' as const, content: 'Hello' }] };
const sentBody = (index = 0) => fake.requests[index]?.body as Record<string, unknown>;
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );

beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

/** A bare HTTP server for wire situations the scripted fake cannot produce. */
async function startRawServer(handler: (request: IncomingMessage, response: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('Ollama chat', () => {
  it('returns text, finish reason, usage, zero cost and latency, and sends options the Ollama way', async () => {
    fake.enqueue({ text: 'Hi there', usage: { inputTokens: 26, outputTokens: 7 } });
    const result = await model().chat({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
      temperature: 0.1,
      topP: 0.9,
      maxTokens: 50,
      stopSequences: ['\n\n'],
      seed: 42,
    });
    expect(result).toMatchObject({
      text: 'Hi there',
      toolCalls: [],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: { inputTokens: 26, outputTokens: 7, totalTokens: 33 },
      costUsd: 0,
      provider: 'ollama',
      modelId: 'llama3.2',
    });
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result.raw).toMatchObject({ done: true, prompt_eval_count: 26, eval_count: 7 });
    expect(sentBody()).toEqual({
      model: 'llama3.2',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
      stream: false,
      options: { temperature: 0.1, top_p: 0.9, num_predict: 50, stop: ['\n\n'], seed: 42 },
    });
    expect(fake.requests[0]?.path).toBe('/api/chat');
  });

  it('maps done_reason length and sends keep_alive and extra runtime options', async () => {
    fake.enqueue({ text: 'cut', finish: 'length' });
    const result = await createOllama({ host: fake.url, keepAlive: '10m', options: { num_ctx: 8192 } })
      .chatModel('llama3.2', { options: { top_k: 20 } })
      .chat({ ...ask, temperature: 0 });
    expect(result.finishReason).toEqual({ unified: 'length', raw: 'length' });
    expect(sentBody()).toMatchObject({
      keep_alive: '10m',
      options: { num_ctx: 8192, top_k: 20, temperature: 0 },
    });
  });

  it('uses a host pricing override', async () => {
    fake.enqueue({ text: 'a', usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 } });
    const priced = createOllama({
      host: fake.url,
      pricing: { ollama: { 'llama3.2': { inputPerMillion: 0.1, outputPerMillion: 0.2 } } },
    });
    expect((await priced.chatModel('llama3.2').chat(ask)).costUsd).toBeCloseTo(0.3, 10);
  });

  it('sends images as base64 and refuses image URLs Ollama cannot fetch', async () => {
    fake.enqueue({ text: 'a cat' });
    const png = Buffer.from('fake-png-bytes').toString('base64');
    await model().chat({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', data: png, mediaType: 'image/png' },
            { type: 'image', url: `data:image/png;base64,${png}` },
          ],
        },
      ],
    });
    expect((sentBody().messages as unknown[])[0]).toEqual({
      role: 'user',
      content: 'What is this?',
      images: [png, png],
    });
    const error = await failure(
      model().chat({
        messages: [{ role: 'user', content: [{ type: 'image', url: 'https://example.com/cat.png' }] }],
      }),
    );
    expect(error).toBeInstanceOf(ValidationError);
  });

  it('never reads a local file named by image data', async () => {
    fake.enqueue({ text: 'ok' });
    // A string image naming an existing file would be read from disk by ollama-js's Node entry.
    const existingFile = fileURLToPath(import.meta.url);
    await model().chat({
      messages: [{ role: 'user', content: [{ type: 'image', data: existingFile, mediaType: 'image/png' }] }],
    });
    const [image] = (sentBody().messages as Array<{ images?: string[] }>)[0]?.images ?? [];
    expect(image).toBe(Buffer.from(existingFile, 'base64').toString('base64'));
    expect(image).not.toBe(readFileSync(existingFile).toString('base64'));
  });

  it('sends per-call headers, and a Bearer key for a proxied Ollama without leaking it', async () => {
    const apiKey = 'proxy-key-0123456789abcdef';
    const guarded = await startFakeOllama({ apiKey });
    try {
      guarded.enqueue({ text: 'through the proxy' });
      const ok = await createOllama({ host: guarded.url, apiKey })
        .chatModel('llama3.2')
        .chat(ask, { headers: { 'x-tenant': 'blue' } });
      expect(ok.text).toBe('through the proxy');
      expect(guarded.requests[0]?.headers).toMatchObject({
        authorization: `Bearer ${apiKey}`,
        'x-tenant': 'blue',
      });
      const wrongKey = 'wrong-key-abcdefghijklmnop';
      const error = (await failure(
        createOllama({ host: guarded.url, apiKey: wrongKey }).chatModel('llama3.2').chat(ask),
      )) as ApiCallError;
      expect(error).toMatchObject({
        code: 'authentication_failed',
        statusCode: 401,
        isTargetUnavailable: true,
      });
      expect(`${error.message} ${JSON.stringify(error.toJSON())} ${error.responseBody}`).not.toContain(
        wrongKey,
      );
    } finally {
      await guarded.close();
    }
  });

  it('reads OLLAMA_HOST when no host is given', async () => {
    fake.enqueue({ text: 'from env' });
    const host = fake.url.replace('http://', '');
    const provider = createOllama({}, { OLLAMA_HOST: host });
    expect(provider.host).toBe(fake.url);
    expect((await provider.chatModel('llama3.2').chat(ask)).text).toBe('from env');
  });
});

describe('Ollama tools', () => {
  const tools = [
    { name: 'get_load', description: 'Node load', parameters: z.object({ node: z.string() }) },
    { name: 'migrate', parameters: { type: 'object', properties: { vmid: { type: 'number' } } } },
  ];

  it('sends tools, synthesizes call ids and round-trips tool results by tool_name', async () => {
    fake.enqueue({
      toolCalls: [
        { name: 'get_load', arguments: { node: 'pve1' } },
        { name: 'get_load', arguments: { node: 'pve2' } },
      ],
    });
    const first = await model().chat({ ...ask, tools });
    expect(first.finishReason).toEqual({ unified: 'tool-calls', raw: 'stop' });
    expect(first.toolCalls).toEqual([
      { id: 'call_0', name: 'get_load', arguments: { node: 'pve1' }, rawArguments: '{"node":"pve1"}' },
      { id: 'call_1', name: 'get_load', arguments: { node: 'pve2' }, rawArguments: '{"node":"pve2"}' },
    ]);
    const sentTools = sentBody().tools as unknown[];
    expect(sentTools).toHaveLength(2);
    expect(sentTools[0]).toMatchObject({
      type: 'function',
      function: {
        name: 'get_load',
        description: 'Node load',
        parameters: { type: 'object', properties: { node: { type: 'string' } }, required: ['node'] },
      },
    });

    fake.enqueue({ text: 'pve1 is at 40 %, pve2 at 10 %' });
    const second = await model().chat({
      messages: [
        ...ask.messages,
        { role: 'assistant', content: '', toolCalls: first.toolCalls },
        { role: 'tool', toolCallId: 'call_0', toolName: 'get_load', content: '{"cpu":0.4}' },
        { role: 'tool', toolCallId: 'call_1', toolName: 'get_load', content: '{"cpu":0.1}' },
      ],
      tools,
    });
    expect(second.text).toBe('pve1 is at 40 %, pve2 at 10 %');
    const messages = (fake.requests[1]?.body as { messages: unknown[] }).messages;
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [
        { function: { name: 'get_load', arguments: { node: 'pve1' } } },
        { function: { name: 'get_load', arguments: { node: 'pve2' } } },
      ],
    });
    expect(messages[2]).toEqual({ role: 'tool', content: '{"cpu":0.4}', tool_name: 'get_load' });
    expect(messages[3]).toEqual({ role: 'tool', content: '{"cpu":0.1}', tool_name: 'get_load' });
  });

  it('keeps a call id when a newer Ollama sends one', async () => {
    fake.enqueue({ toolCalls: [{ id: 'call_abc', name: 'migrate', arguments: { vmid: 101 } }] });
    const [call] = (await model().chat({ ...ask, tools })).toolCalls;
    expect(call?.id).toBe('call_abc');
  });

  it('approximates tool choice: none sends no tools, a named tool sends only that one', async () => {
    fake.enqueue({ text: 'a' }, { text: 'b' });
    await model().chat({ ...ask, tools, toolChoice: 'none' });
    await model().chat({ ...ask, tools, toolChoice: { name: 'migrate' } });
    expect(sentBody(0).tools).toBeUndefined();
    expect(
      (sentBody(1).tools as Array<{ function: { name: string } }>).map((tool) => tool.function.name),
    ).toEqual(['migrate']);
  });

  it('keeps malformed tool arguments visible instead of throwing', async () => {
    fake.enqueue({ toolCalls: [{ name: 'migrate', arguments: '{"vmid": 10' }] });
    const [call] = (await model().chat({ ...ask, tools })).toolCalls;
    expect(call).toMatchObject({ id: 'call_0', arguments: {}, rawArguments: '{"vmid": 10' });
    expect(call?.argumentsError).toMatch(/not valid JSON/);
  });
});

describe('Ollama structured output', () => {
  it('maps json mode to format "json" and a schema to a JSON Schema format', async () => {
    fake.enqueue({ text: '{"a":1}' }, { text: '{"a":1}' });
    await model().chat({ ...ask, responseFormat: { type: 'json' } });
    await model().chat({ ...ask, responseFormat: { type: 'json', schema: z.object({ a: z.number() }) } });
    expect(sentBody(0).format).toBe('json');
    expect(sentBody(1).format).toMatchObject({
      type: 'object',
      properties: { a: { type: 'number' } },
      required: ['a'],
    });
  });

  const schema = z.object({ node: z.string(), cpu: z.number().min(0).max(1) });

  it('generateObject uses the schema as format and returns the validated object', async () => {
    fake.enqueue({ text: '{"node":"pve1","cpu":0.42}' });
    const { object, calls, mode, costUsd } = await generateObject(model(), {
      schema,
      prompt: 'Busiest node?',
    });
    expect(object).toEqual({ node: 'pve1', cpu: 0.42 });
    expect({ calls, mode, costUsd }).toEqual({ calls: 1, mode: 'json-schema', costUsd: 0 });
    expect(sentBody().format).toMatchObject({
      type: 'object',
      properties: { node: { type: 'string' }, cpu: { type: 'number', minimum: 0, maximum: 1 } },
    });
  });

  it('generateObject repairs an invalid first answer with the validation errors', async () => {
    fake.enqueue(
      { text: 'Sure! ```json\n{"node":"pve1","cpu":4.2}\n```' },
      { text: '{"node":"pve1","cpu":0.42}' },
    );
    const result = await generateObject(model(), { schema, prompt: 'Busiest node?' });
    expect(result.object.cpu).toBe(0.42);
    expect(result.calls).toBe(2);
    expect(result.rejectedAttempts[0]?.issues[0]?.path).toBe('cpu');
    const reAsk = (sentBody(1) as { messages: Array<{ role: string; content: string }> }).messages.at(-1);
    expect(reAsk).toMatchObject({ role: 'user' });
    expect(reAsk?.content).toMatch(/cpu/);
  });

  it('generateObject fails with NoObjectGeneratedError on hopeless answers', async () => {
    fake.enqueue({ text: 'I cannot answer that.' }, { text: 'no' }, { text: '{"node": 5}' });
    const error = await failure(generateObject(model(), { schema, prompt: 'Busiest node?', maxRepairs: 2 }));
    expect(error).toBeInstanceOf(NoObjectGeneratedError);
    expect((error as NoObjectGeneratedError).attempts).toHaveLength(3);
  });
});

describe('Ollama streaming', () => {
  const collect = async (stream: AsyncIterable<ChatChunk>) => {
    const chunks: ChatChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    return chunks;
  };

  it('streams NDJSON text deltas and ends with a finish chunk carrying usage and time to first token', async () => {
    fake.enqueue({ text: 'Streaming works', chunkSize: 3, usage: { inputTokens: 10, outputTokens: 5 } });
    const chunks = await collect(model().stream(ask));
    const deltas = chunks.flatMap((chunk) => (chunk.type === 'text-delta' ? [chunk.text] : []));
    expect(deltas).toEqual(['Str', 'eam', 'ing', ' wo', 'rks']);
    const finish = chunks.at(-1);
    if (finish?.type !== 'finish') throw new Error('expected a finish chunk');
    expect(finish.result).toMatchObject({
      text: 'Streaming works',
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
      costUsd: 0,
      provider: 'ollama',
    });
    expect(finish.result.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(finish.result.timeToFirstTokenMs).toBeLessThanOrEqual(finish.result.latencyMs);
    expect(sentBody().stream).toBe(true);
  });

  it('emits tool calls that arrive whole, with synthesized ids', async () => {
    fake.enqueue({
      text: 'Checking.',
      toolCalls: [
        { name: 'migrate', arguments: { vmid: 101, target: 'pve2' } },
        { name: 'migrate', arguments: { vmid: 102, target: 'pve3' } },
      ],
    });
    const chunks = await collect(model().stream(ask));
    expect(chunks.filter((chunk) => chunk.type === 'tool-call-delta')).toEqual([
      {
        type: 'tool-call-delta',
        index: 0,
        name: 'migrate',
        argumentsDelta: '{"vmid":101,"target":"pve2"}',
      },
      {
        type: 'tool-call-delta',
        index: 1,
        name: 'migrate',
        argumentsDelta: '{"vmid":102,"target":"pve3"}',
      },
    ]);
    const calls = chunks.flatMap((chunk) => (chunk.type === 'tool-call' ? [chunk.toolCall] : []));
    expect(calls.map((call) => [call.id, call.arguments])).toEqual([
      ['call_0', { vmid: 101, target: 'pve2' }],
      ['call_1', { vmid: 102, target: 'pve3' }],
    ]);
    const finish = chunks.at(-1);
    expect(finish?.type === 'finish' && finish.result.finishReason).toEqual({
      unified: 'tool-calls',
      raw: 'stop',
    });
    expect(finish?.type === 'finish' && finish.result.text).toBe('Checking.');
  });

  it('fails with a retryable error when the stream is cut mid-way', async () => {
    fake.enqueue({
      text: 'this will be cut off',
      chunkSize: 2,
      fault: { type: 'cut-stream', afterChunks: 3 },
    });
    const error = await failure(collectStream(model().stream(ask)));
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'network_error', isRetryable: true });
  });

  it('treats a stream that ends without a done line as a retryable invalid response', async () => {
    fake.enqueue({
      text: 'unfinished answer',
      chunkSize: 2,
      fault: { type: 'end-stream-early', afterChunks: 3 },
    });
    const error = await failure(collectStream(model().stream(ask)));
    expect(error).toMatchObject({ code: 'invalid_response', isRetryable: true });
  });

  it('reports a malformed NDJSON line as a retryable invalid response', async () => {
    // ollama-js skips lines it cannot parse (with a console warning); the stream then has no done line.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      fake.enqueue({ text: 'xy', fault: { type: 'malformed-json' } });
      const error = await failure(collectStream(model().stream(ask)));
      expect(error).toMatchObject({ code: 'invalid_response', isRetryable: true });
      expect(warn).toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('maps an HTTP error before the stream starts like a chat error', async () => {
    fake.enqueue({ fault: { type: 'status', status: 404 } });
    const error = await failure(collectStream(model().stream(ask)));
    expect(error).toMatchObject({ code: 'model_not_found', isTargetUnavailable: true, statusCode: 404 });
  });

  it('maps an {"error"} line inside the stream to a retryable server error', async () => {
    const raw = await startRawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.write(
        `${JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: 'Hel' }, done: false })}\n`,
      );
      response.end(
        `${JSON.stringify({ error: 'an error was encountered while running the model: unexpected EOF' })}\n`,
      );
    });
    try {
      const stream = createOllama({ host: raw.url }).chatModel('llama3.2').stream(ask);
      const error = await failure(collectStream(stream));
      expect(error).toMatchObject({ code: 'server_error', isRetryable: true });
      expect((error as Error).message).toMatch(/unexpected EOF/);
    } finally {
      await raw.close();
    }
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
    const error = await failure(collectStream(model().stream(ask, { timeoutMs: 100 })));
    expect(error).toBeInstanceOf(TimeoutError);
  });
});

describe('Ollama errors', () => {
  const cases = [
    { status: 400, code: 'bad_request', retryable: false, unavailable: false },
    { status: 404, code: 'model_not_found', retryable: false, unavailable: true },
    { status: 500, code: 'server_error', retryable: true, unavailable: false },
    { status: 503, code: 'overloaded', retryable: true, unavailable: false },
  ] as const;

  it.each(cases)('maps HTTP $status to $code', async ({ status, code, retryable, unavailable }) => {
    fake.enqueue({ fault: { type: 'status', status } });
    const error = await failure(model().chat(ask));
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code,
      provider: 'ollama',
      modelId: 'llama3.2',
      statusCode: status,
      isRetryable: retryable,
      isTargetUnavailable: unavailable,
    });
    expect((error as ApiCallError).url).toBe(`${fake.url}/api/chat`);
    expect(JSON.parse((error as ApiCallError).responseBody ?? '{}')).toHaveProperty('error');
  });

  it("names the missing model from Ollama's own message", async () => {
    fake.enqueue({
      fault: { type: 'status', status: 404, message: 'model "mistral:7b" not found, try pulling it first' },
    });
    const error = (await failure(model().chat(ask))) as ApiCallError;
    expect(error.code).toBe('model_not_found');
    expect(error.message).toBe(
      'ollama:llama3.2 failed (HTTP 404): model "mistral:7b" not found, try pulling it first',
    );
  });

  it('honours Retry-After from a proxy', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429, retryAfter: '3' } });
    const error = (await failure(model().chat(ask))) as ApiCallError;
    expect(error).toMatchObject({ code: 'rate_limited', isRetryable: true, retryAfterMs: 3000 });
  });

  it('maps a connection reset to a retryable network error', async () => {
    fake.enqueue({ fault: { type: 'reset' } });
    expect(await failure(model().chat(ask))).toMatchObject({ code: 'network_error', isRetryable: true });
  });

  it('maps a refused connection to a retryable network error', async () => {
    const error = await failure(createOllama({ host: 'http://127.0.0.1:9' }).chatModel('llama3.2').chat(ask));
    expect(error).toMatchObject({ code: 'network_error', isRetryable: true });
  });

  it('maps a malformed JSON body to a retryable invalid response', async () => {
    fake.enqueue({ fault: { type: 'malformed-json' } });
    const error = await failure(model().chat(ask));
    expect(error).toMatchObject({ code: 'invalid_response', isRetryable: true });
  });

  it('maps a body cut mid-way to a retryable error', async () => {
    fake.enqueue({ text: 'will be cut', fault: { type: 'cut-stream', afterChunks: 1 } });
    const error = await failure(model().chat(ask));
    expect(BallastError.isInstance(error)).toBe(true);
    expect((error as BallastError).isRetryable).toBe(true);
  });

  it('aborts a hung call through the caller signal', async () => {
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

  it('times out a hung call', async () => {
    fake.enqueue({ fault: { type: 'hang' } });
    const error = await failure(model().chat(ask, { timeoutMs: 50 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).isRetryable).toBe(true);
  });

  it('closes the HTTP connection on abort, for chat and for streams', async () => {
    const closed: string[] = [];
    let received = 0;
    const raw = await startRawServer((request, response) => {
      received++;
      request.resume();
      response.on('close', () => closed.push(request.url ?? ''));
      // Streams get headers and one line; chats get nothing. Both then hang.
      if (request.headers['x-mode'] === 'stream') {
        response.writeHead(200, { 'content-type': 'application/x-ndjson' });
        response.write(`${JSON.stringify({ message: { role: 'assistant', content: 'H' }, done: false })}\n`);
      }
    });
    try {
      const hung = createOllama({ host: raw.url }).chatModel('llama3.2');
      const controller = new AbortController();
      const pending = hung.chat(ask, { signal: controller.signal });
      // Abort once the request is at the server: a delay could fire before it even got there.
      await vi.waitFor(() => expect(received).toBe(1), { timeout: 10_000 });
      controller.abort();
      await expect(pending).rejects.toBeInstanceOf(AbortedError);
      await vi.waitFor(() => expect(closed).toHaveLength(1), { timeout: 10_000 });

      // Long enough for the request to reach the server however loaded the machine; it hangs there.
      const stream = hung.stream(ask, { timeoutMs: 1_000, headers: { 'x-mode': 'stream' } });
      await expect(collectStream(stream)).rejects.toBeInstanceOf(TimeoutError);
      await vi.waitFor(() => expect(closed).toHaveLength(2), { timeout: 10_000 });
    } finally {
      await raw.close();
    }
  });

  it('rejects an invalid timeout with a ValidationError', async () => {
    await expect(model().chat(ask, { timeoutMs: -1 })).rejects.toMatchObject({ code: 'validation_failed' });
  });
});

describe('Ollama settings', () => {
  it('normalizes hosts the way the Ollama CLI does', () => {
    const hostOf = (host: string) => createOllama({ host }).host;
    expect(hostOf('gpu-box')).toBe('http://gpu-box:11434');
    expect(hostOf(':11500')).toBe('http://127.0.0.1:11500');
    expect(hostOf('http://gpu-box:8080/')).toBe('http://gpu-box:8080');
    expect(hostOf('https://ollama.example.com/proxy/')).toBe('https://ollama.example.com/proxy');
    expect(createOllama({}, {}).host).toBe('http://127.0.0.1:11434');
  });

  it('rejects bad hosts, bad settings and empty model ids with a ConfigError', () => {
    expect(() => createOllama({ host: 'ftp://gpu-box' })).toThrow(ConfigError);
    expect(() => createOllama({ host: 'http://' })).toThrow(ConfigError);
    expect(() => createOllama({}, { OLLAMA_HOST: 'http://bad host' })).toThrow(/OLLAMA_HOST/);
    expect(() => createOllama({ headers: { a: 1 } as never })).toThrow(ConfigError);
    // The AI SDK's and the OpenAI client's spelling is not this provider's: an error, not 127.0.0.1.
    expect(() => createOllama({ baseURL: 'http://gpu-box:11434' } as never)).toThrow(/baseURL/);
    expect(() => createOllama({ host: fake.url }).chatModel('')).toThrow(ConfigError);
    expect(() => createOllama({ host: fake.url }).chatModel('  ')).toThrow(/model id is required/);
  });

  it('sends URL credentials as Basic auth and never shows them in errors', async () => {
    fake.enqueue({ text: 'ok' }, { fault: { type: 'status', status: 500 } });
    const host = fake.url.replace('http://', 'http://admin:s3cret-pass@');
    const provider = createOllama({ host });
    expect(provider.host).toBe(fake.url);
    await provider.chatModel('llama3.2').chat(ask);
    expect(fake.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('admin:s3cret-pass').toString('base64')}`,
    );
    const error = (await failure(provider.chatModel('llama3.2').chat(ask))) as ApiCallError;
    expect(JSON.stringify({ ...error.toJSON(), url: error.url, message: error.message })).not.toContain(
      's3cret',
    );
  });

  it('sends OLLAMA_API_KEY only to ollama.com, never to another host', () => {
    const env = { OLLAMA_API_KEY: 'cloud-key' };
    expect(resolveOllamaSettings({ host: 'https://ollama.com' }, env).headers).toEqual({
      Authorization: 'Bearer cloud-key',
    });
    expect(resolveOllamaSettings({ host: 'http://127.0.0.1:11434' }, env).headers).toEqual({});
  });

  it('has every capability by default, overridable per provider and per model', () => {
    expect(createOllama({ host: fake.url }).chatModel('llama3.2').capabilities).toEqual({
      tools: true,
      vision: true,
      jsonMode: true,
      jsonSchema: true,
      streaming: true,
    });
    const model = createOllama({ host: fake.url, capabilities: { vision: false } }).chatModel('gemma:2b', {
      capabilities: { tools: false },
    });
    expect(model.capabilities).toMatchObject({ vision: false, tools: false, jsonSchema: true });
  });
});
