import { APICallError } from '@ai-sdk/provider';
import { createBalancer } from '@ballast/balancer';
import {
  ApiCallError,
  type ChatModel,
  createPricingTable,
  NoHealthyTargetError,
  TimeoutError,
} from '@ballast/core';
import { createOpenAI } from '@ballast/openai';
import {
  type FakeLlmServer,
  type ReceivedRequest,
  type ScriptedReply,
  startFakeOpenAI,
} from '@ballast/testkit';
import {
  convertToModelMessages,
  generateObject,
  generateText,
  InvalidArgumentError,
  Output,
  stepCountIs,
  streamText,
  type TextStreamPart,
  type ToolSet,
  tool,
} from 'ai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createBallastLanguageModel } from './ballast-language-model';
import { readBallastMetadata } from './ballast-metadata';
import { createChatModelFromAiSdk } from './chat-model-from-ai-sdk';

// The real `ai` package drives Ballast models that talk real HTTP to the testkit's fake OpenAI.

// The AI SDK logs call warnings to the console; the tests read them from `result.warnings`.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const pricing = createPricingTable({
  backup: { 'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 } },
});
let primary: FakeLlmServer;
let backup: FakeLlmServer;
let primaryModel: ChatModel;
let backupModel: ChatModel;

beforeAll(async () => {
  [primary, backup] = await Promise.all([startFakeOpenAI(), startFakeOpenAI()]);
  primaryModel = createOpenAI({ apiKey: 'test-key-primary', baseURL: `${primary.url}/v1` }).chatModel(
    'gpt-4o-mini',
  );
  backupModel = createOpenAI({
    name: 'backup',
    apiKey: 'test-key-backup',
    baseURL: `${backup.url}/v1`,
    pricing,
  }).chatModel('gpt-4.1-mini');
});
afterAll(async () => {
  await Promise.all([primary.close(), backup.close()]);
});
beforeEach(() => {
  for (const fake of [primary, backup]) {
    fake.requests.length = 0;
    fake.setResponder(() => ({ text: 'OK' }));
  }
});
afterEach(() => {
  // A scripted reply left over would answer the next test's request.
  expect([primary.pending(), backup.pending()]).toEqual([0, 0]);
});

const lastBody = (fake: FakeLlmServer) => fake.requests.at(-1)?.body as Record<string, unknown>;

/** Primary first, backup second, no retry on the same target: a failure always fails over. */
const failoverBalancer = () =>
  createBalancer({
    name: 'chat',
    strategy: 'failover',
    targets: [
      { id: 'primary', model: primaryModel, priority: 0 },
      { id: 'backup', model: backupModel, priority: 1 },
    ],
    retry: { maxRetriesPerTarget: 0, baseDelayMs: 1, maxDelayMs: 2 },
    pricing,
  });

describe('createBallastLanguageModel with generateText', () => {
  it('answers with text, usage, finish reason and Ballast metadata', async () => {
    primary.enqueue({
      text: 'Hello from Ballast',
      usage: { inputTokens: 12, outputTokens: 4, cachedInputTokens: 2 },
    });
    const result = await generateText({
      model: createBallastLanguageModel(primaryModel),
      system: 'Be brief.',
      prompt: 'Say hello',
      temperature: 0.3,
      maxOutputTokens: 50,
    });
    expect(result.text).toBe('Hello from Ballast');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({
      inputTokens: 12,
      outputTokens: 4,
      totalTokens: 16,
      inputTokenDetails: { cacheReadTokens: 2, noCacheTokens: 10 },
    });
    expect(result.providerMetadata?.ballast).toMatchObject({ provider: 'openai', modelId: 'gpt-4o-mini' });
    expect(result.response.modelId).toBe('gpt-4o-mini');
    const sent = primary.requests[0]?.body as { messages: unknown[]; temperature: number };
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello' },
    ]);
    expect(sent.temperature).toBe(0.3);
  });

  it('shows a balancer failover in providerMetadata.ballast.route', async () => {
    primary.enqueue({ fault: { type: 'status', status: 503, message: 'primary is overloaded' } });
    backup.enqueue({ text: 'served by the backup' });
    const result = await generateText({
      model: createBallastLanguageModel(failoverBalancer()),
      prompt: 'Hello',
      maxRetries: 0,
    });
    expect(result.text).toBe('served by the backup');
    const ballast = readBallastMetadata(result.providerMetadata);
    expect(ballast?.provider).toBe('backup');
    expect(ballast?.costUsd).toBeGreaterThan(0);
    expect(ballast?.route?.target).toBe('backup');
    expect(ballast?.route?.strategy).toBe('failover');
    expect(ballast?.route?.attempts.map((attempt) => [attempt.target, attempt.outcome])).toEqual([
      ['primary', 'overloaded'],
      ['backup', 'success'],
    ]);
  });
});

describe('createBallastLanguageModel with streamText', () => {
  it('streams text deltas and ends with usage, finish reason and metadata', async () => {
    primary.enqueue({
      text: 'Streaming through Ballast',
      chunkSize: 5,
      usage: { inputTokens: 7, outputTokens: 5 },
    });
    const result = streamText({ model: createBallastLanguageModel(primaryModel), prompt: 'Stream please' });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Streaming through Ballast');
    expect(await result.finishReason).toBe('stop');
    expect(await result.usage).toMatchObject({ inputTokens: 7, outputTokens: 5, totalTokens: 12 });
    expect((await result.providerMetadata)?.ballast).toMatchObject({
      provider: 'openai',
      modelId: 'gpt-4o-mini',
    });
  });

  it('streams from the backup when the primary fails, and says so in the route', async () => {
    primary.enqueue({ fault: { type: 'status', status: 500 } });
    backup.enqueue({ text: 'backup stream' });
    const result = streamText({
      model: createBallastLanguageModel(failoverBalancer()),
      prompt: 'Hello',
      maxRetries: 0,
    });
    expect(await result.text).toBe('backup stream');
    const ballast = readBallastMetadata(await result.providerMetadata);
    expect(ballast?.route?.target).toBe('backup');
    expect(ballast?.route?.attempts.map((attempt) => attempt.outcome)).toEqual(['server_error', 'success']);
  });

  it('feeds useChat: a UI message stream with the text and the route as message metadata', async () => {
    primary.enqueue({ fault: { type: 'status', status: 503 } });
    backup.enqueue({ text: 'hello from the backup', chunkSize: 6 });
    const result = streamText({
      model: createBallastLanguageModel(failoverBalancer()),
      messages: await convertToModelMessages([{ role: 'user', parts: [{ type: 'text', text: 'Hello' }] }]),
      maxRetries: 0,
    });
    const response = result.toUIMessageStreamResponse({
      messageMetadata: ({ part }) =>
        part.type === 'finish-step'
          ? { route: readBallastMetadata(part.providerMetadata)?.route }
          : undefined,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
    const text = events.flatMap((event) => (event.type === 'text-delta' ? [event.delta] : [])).join('');
    expect(text).toBe('hello from the backup');
    const metadata = events.find((event) => event.type === 'message-metadata') as
      | { messageMetadata: { route: { target: string } } }
      | undefined;
    expect(metadata?.messageMetadata.route.target).toBe('backup');
  });
});

/** The model calls `get_weather` until the conversation holds its result, then answers with it. */
function weatherResponder(request: ReceivedRequest): ScriptedReply {
  const messages = (request.body as { messages: Array<{ role: string; content: string }> }).messages;
  const last = messages.at(-1);
  if (last?.role === 'tool') return { text: `It is ${JSON.parse(last.content).celsius} °C in Oslo.` };
  return { toolCalls: [{ id: 'call_weather', name: 'get_weather', arguments: { city: 'Oslo' } }] };
}

const weatherTools = (calls: string[]) =>
  ({
    get_weather: tool({
      description: 'Current weather by city',
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        calls.push(city);
        return { celsius: 4 };
      },
    }),
  }) satisfies ToolSet;

describe('tools with multi-step loops', () => {
  it('generateText runs the tool and sends its result back through Ballast', async () => {
    primary.setResponder(weatherResponder);
    const calls: string[] = [];
    const result = await generateText({
      model: createBallastLanguageModel(primaryModel),
      tools: weatherTools(calls),
      stopWhen: stepCountIs(3),
      prompt: 'Weather in Oslo?',
    });
    expect(calls).toEqual(['Oslo']);
    expect(result.steps.map((step) => step.finishReason)).toEqual(['tool-calls', 'stop']);
    expect(result.steps[0]?.toolCalls.map((call) => [call.toolName, call.input])).toEqual([
      ['get_weather', { city: 'Oslo' }],
    ]);
    expect(result.text).toBe('It is 4 °C in Oslo.');
    const [first, second] = primary.requests.map((request) => request.body as Record<string, unknown>);
    expect(first?.tools).toEqual([
      expect.objectContaining({
        type: 'function',
        function: expect.objectContaining({ name: 'get_weather', description: 'Current weather by city' }),
      }),
    ]);
    expect(second?.messages).toEqual([
      { role: 'user', content: 'Weather in Oslo?' },
      expect.objectContaining({
        role: 'assistant',
        tool_calls: [
          expect.objectContaining({
            id: 'call_weather',
            function: expect.objectContaining({ name: 'get_weather' }),
          }),
        ],
      }),
      { role: 'tool', tool_call_id: 'call_weather', content: '{"celsius":4}' },
    ]);
  });

  it('streamText streams the tool input, runs the tool and streams the answer', async () => {
    primary.setResponder(weatherResponder);
    const calls: string[] = [];
    const result = streamText({
      model: createBallastLanguageModel(primaryModel),
      tools: weatherTools(calls),
      stopWhen: stepCountIs(3),
      prompt: 'Weather in Oslo?',
    });
    const types: string[] = [];
    let toolInput = '';
    for await (const part of result.fullStream) {
      types.push(part.type);
      if (part.type === 'tool-input-delta') toolInput += part.delta;
    }
    expect(calls).toEqual(['Oslo']);
    expect(toolInput).toBe('{"city":"Oslo"}');
    for (const type of [
      'tool-input-start',
      'tool-call',
      'tool-result',
      'text-delta',
      'finish-step',
      'finish',
    ])
      expect(types).toContain(type);
    expect(types.indexOf('tool-input-start')).toBeLessThan(types.indexOf('tool-call'));
    expect(await result.text).toBe('It is 4 °C in Oslo.');
    expect((await result.steps).length).toBe(2);
  });
});

describe('structured output', () => {
  const schema = z.object({ node: z.string(), cpu: z.number().min(0).max(1) });

  it('generateObject gets a validated object through the native JSON Schema mode', async () => {
    primary.enqueue({ text: JSON.stringify({ node: 'pve2', cpu: 0.35 }) });
    const { object, providerMetadata } = await generateObject({
      model: createBallastLanguageModel(primaryModel),
      schema,
      schemaName: 'least_loaded',
      prompt: 'Least loaded node?',
    });
    expect(object).toEqual({ node: 'pve2', cpu: 0.35 });
    expect(providerMetadata?.ballast).toMatchObject({ provider: 'openai' });
    expect(lastBody(primary).response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'least_loaded', schema: expect.objectContaining({ required: ['node', 'cpu'] }) },
    });
  });

  it('generateText with Output.object parses the answer of a balancer', async () => {
    primary.enqueue({ fault: { type: 'status', status: 502 } });
    backup.enqueue({ text: JSON.stringify({ node: 'pve3', cpu: 0.1 }) });
    const result = await generateText({
      model: createBallastLanguageModel(failoverBalancer()),
      output: Output.object({ schema }),
      prompt: 'Least loaded node?',
      maxRetries: 0,
    });
    expect(result.output).toEqual({ node: 'pve3', cpu: 0.1 });
    expect(lastBody(backup).response_format).toMatchObject({ type: 'json_schema' });
  });

  it('rejects an answer that does not match the schema with the AI SDK error, not a made-up object', async () => {
    primary.enqueue({ text: JSON.stringify({ node: 'pve2', cpu: 7 }) });
    await expect(
      generateObject({
        model: createBallastLanguageModel(primaryModel),
        schema,
        prompt: 'Least loaded node?',
      }),
    ).rejects.toThrow(/No object generated/);
  });
});

describe('abort', () => {
  it('streamText ends with an abort part when the caller aborts mid-stream, and the upstream request closes', async () => {
    // 1 000 chunks, 200 ms apart: minutes of streaming unless the abort reaches the HTTP request.
    primary.enqueue({ text: 'ab'.repeat(1_000), chunkSize: 2, chunkDelayMs: 200 });
    const controller = new AbortController();
    let aborted = false;
    const result = streamText({
      model: createBallastLanguageModel(primaryModel),
      prompt: 'Talk for minutes',
      abortSignal: controller.signal,
      onAbort: () => {
        aborted = true;
      },
    });
    const parts: TextStreamPart<ToolSet>[] = [];
    for await (const part of result.fullStream) {
      parts.push(part);
      if (part.type === 'text-delta') controller.abort();
    }
    expect(parts.at(-1)?.type).toBe('abort');
    // At least the delta that triggered the abort; a starved event loop may have buffered a few more.
    const deltas = parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : []));
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.length).toBeLessThan(1_000);
    expect(parts.some((part) => part.type === 'error')).toBe(false);
    expect(aborted).toBe(true);
    await primary.whenIdle();
    expect(primary.inFlight).toBe(0);
  });

  it('generateText rejects with the AbortError when aborted before the answer', async () => {
    primary.enqueue({ fault: { type: 'hang' } });
    const controller = new AbortController();
    const pending = generateText({
      model: createBallastLanguageModel(primaryModel),
      prompt: 'Never answered',
      abortSignal: controller.signal,
    });
    await expect.poll(() => primary.inFlight, { timeout: 15_000 }).toBe(1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await primary.whenIdle();
  });
});

describe('Ballast errors as AI SDK errors', () => {
  it('a rate limit becomes a retryable APICallError with status, retry-after-ms and the Ballast cause', async () => {
    primary.enqueue({ fault: { type: 'status', status: 429, retryAfter: '3' } });
    const error = await generateText({
      model: createBallastLanguageModel(primaryModel),
      prompt: 'Hello',
      maxRetries: 0,
    }).catch((caught: unknown) => caught);
    expect(APICallError.isInstance(error)).toBe(true);
    const apiError = error as APICallError;
    expect(apiError.statusCode).toBe(429);
    expect(apiError.isRetryable).toBe(true);
    expect(apiError.responseHeaders?.['retry-after-ms']).toBe('3000');
    expect(apiError.responseBody).toContain('rate_limit_exceeded');
    expect(ApiCallError.isInstance(apiError.cause)).toBe(true);
    expect(apiError.data).toMatchObject({ code: 'rate_limited', provider: 'openai', retryAfterMs: 3000 });
  });

  it("the AI SDK's own retry waits as Retry-After asked, then succeeds", async () => {
    primary.enqueue({ fault: { type: 'status', status: 429, retryAfter: '0' } }, { text: 'second attempt' });
    const result = await generateText({
      model: createBallastLanguageModel(primaryModel),
      prompt: 'Hello',
      maxRetries: 1,
    });
    expect(result.text).toBe('second attempt');
    expect(primary.requests).toHaveLength(2);
  });

  it('a bad request is not retryable and the AI SDK does not retry it', async () => {
    primary.enqueue({ fault: { type: 'status', status: 400, message: 'messages must not be empty' } });
    const error = await generateText({
      model: createBallastLanguageModel(primaryModel),
      prompt: 'Hello',
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ statusCode: 400, isRetryable: false });
    expect(primary.requests).toHaveLength(1);
  });

  it('a balancer with every target down gives an APICallError listing every attempt', async () => {
    primary.enqueue({ fault: { type: 'status', status: 401 } });
    backup.enqueue({ fault: { type: 'status', status: 403 } });
    const error = await generateText({
      model: createBallastLanguageModel(failoverBalancer()),
      prompt: 'Hello',
      maxRetries: 0,
    }).catch((caught: unknown) => caught);
    expect(APICallError.isInstance(error)).toBe(true);
    expect(NoHealthyTargetError.isInstance((error as APICallError).cause)).toBe(true);
    const data = (error as APICallError).data as { code: string };
    expect(data.code).toBe('no_healthy_target');
    const attempts = ((error as APICallError).cause as NoHealthyTargetError).attempts;
    expect(attempts.map((attempt) => [attempt.target, attempt.outcome])).toEqual([
      ['primary', 'authentication_failed'],
      ['backup', 'permission_denied'],
    ]);
  });

  it('streamText reports a failure before the first token through onError and the error part', async () => {
    primary.enqueue({ fault: { type: 'status', status: 500 } });
    const errors: unknown[] = [];
    const result = streamText({
      model: createBallastLanguageModel(primaryModel),
      prompt: 'Hello',
      maxRetries: 0,
      onError: ({ error }) => {
        errors.push(error);
      },
    });
    const parts: string[] = [];
    for await (const part of result.fullStream) parts.push(part.type);
    expect(parts).toContain('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ statusCode: 500, isRetryable: true });
  });

  it('a stream cut mid-way becomes an error part after the text that arrived', async () => {
    primary.enqueue({
      text: 'this will be cut off',
      chunkSize: 2,
      fault: { type: 'cut-stream', afterChunks: 4 },
    });
    const result = streamText({
      model: createBallastLanguageModel(primaryModel),
      prompt: 'Hello',
      maxRetries: 0,
      onError: () => {}, // asserted through the error part below; keeps it off the console
    });
    const parts: TextStreamPart<ToolSet>[] = [];
    for await (const part of result.fullStream) parts.push(part);
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : [])).join('');
    expect(text.length).toBeGreaterThan(0);
    expect('this will be cut off'.startsWith(text)).toBe(true);
    const error = parts.find((part) => part.type === 'error');
    expect(error).toMatchObject({ error: { isRetryable: true } });
    expect(parts.find((part) => part.type === 'finish-step')).toMatchObject({ finishReason: 'error' });
  });

  it('round trip: a Ballast error wrapped as an AI SDK error comes back as the same Ballast error', async () => {
    primary.enqueue({ fault: { type: 'status', status: 429, retryAfter: '5' } });
    const roundTrip = createChatModelFromAiSdk(createBallastLanguageModel(primaryModel));
    const error = await roundTrip
      .chat({ messages: [{ role: 'user', content: 'Hello' }] })
      .catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'rate_limited',
      statusCode: 429,
      retryAfterMs: 5000,
      provider: 'openai',
    });
  });

  it('providerOptions.ballast.timeoutMs bounds the call; a timeout is a retryable APICallError', async () => {
    // A fake of its own, closed afterwards: the deadline may pass while the request is still on
    // its way, and a late request must not reach the fakes the next tests count.
    const hung = await startFakeOpenAI({ responder: () => ({ fault: { type: 'hang' } }) });
    try {
      const error = await generateText({
        model: createBallastLanguageModel(
          createOpenAI({ apiKey: 'test-key-hung', baseURL: `${hung.url}/v1` }).chatModel('gpt-4o-mini'),
        ),
        prompt: 'Hello',
        maxRetries: 0,
        providerOptions: { ballast: { timeoutMs: 50 } },
      }).catch((caught: unknown) => caught);
      expect(APICallError.isInstance(error)).toBe(true);
      expect((error as APICallError).isRetryable).toBe(true);
      expect(TimeoutError.isInstance((error as APICallError).cause)).toBe(true);
    } finally {
      await hung.close();
    }
  });

  it('refuses invalid providerOptions.ballast with InvalidArgumentError', async () => {
    await expect(
      generateText({
        model: createBallastLanguageModel(primaryModel),
        prompt: 'Hello',
        providerOptions: { ballast: { timeoutMs: -1 } },
      }),
    ).rejects.toSatisfy(InvalidArgumentError.isInstance);
    expect(primary.requests).toHaveLength(0);
  });
});

describe('prompt and settings conversion', () => {
  it('sends images, reports unsupported settings as warnings', async () => {
    const result = await generateText({
      model: createBallastLanguageModel(primaryModel),
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image', image: new URL('https://example.com/rack.png') },
            { type: 'image', image: new Uint8Array([137, 80, 78, 71]), mediaType: 'image/png' },
          ],
        },
      ],
      topK: 5,
      stopSequences: ['END'],
      seed: 42,
    });
    expect(result.warnings).toEqual([{ type: 'unsupported', feature: 'topK' }]);
    const sent = lastBody(primary) as { messages: Array<{ content: unknown }>; stop: unknown; seed: unknown };
    expect(sent.messages[0]?.content).toEqual([
      { type: 'text', text: 'What is in this picture?' },
      { type: 'image_url', image_url: { url: 'https://example.com/rack.png' } },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw==' } },
    ]);
    expect(sent.stop).toEqual(['END']);
    expect(sent.seed).toBe(42);
  });

  it('passes per-call Ballast options such as balancer routing through providerOptions.ballast', async () => {
    backup.enqueue({ text: 'preferred backup' });
    const result = await generateText({
      model: createBallastLanguageModel(failoverBalancer()),
      prompt: 'Hello',
      providerOptions: { ballast: { routing: { preferredProvider: 'backup' } } },
    });
    expect(result.text).toBe('preferred backup');
    expect(primary.requests).toHaveLength(0);
  });

  it('refuses something that is not a ChatModel', () => {
    expect(() => createBallastLanguageModel({} as never)).toThrow(/needs a Ballast ChatModel/);
    expect(() => createBallastLanguageModel(primaryModel, { timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});
