import { createAnthropic } from '@ballast/anthropic';
import { createOpenAI } from '@ballast/openai';
import { type FakeLlmServer, startFakeAnthropic, startFakeGroq, startFakeOpenAI } from '@ballast/testkit';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadGatewayEnvironment } from '../config/gateway-env';
import { hashApiKey } from '../http/api-keys';
import { type NodeServer, serveNode } from '../http/serve-node';
import { createLogger } from '../logging/logger';
import type { RoutingDecision } from './chat-completions';
import { createGateway, type Gateway } from './gateway';

const primaryKey = 'sk-primary-SECRET-0123456789';
const backupKey = 'sk-backup-SECRET-9876543210';
const anthropicKey = 'sk-ant-SECRET-5555555555';
const clientKey = 'sk-ballast-pass-through-client';
const limitedKey = 'sk-ballast-pass-through-limited';

let primary: FakeLlmServer;
let backup: FakeLlmServer;
let anthropic: FakeLlmServer;
let gateway: Gateway;
let server: NodeServer;
let client: OpenAI;
const logs: string[] = [];

const openaiTarget = (fake: FakeLlmServer, key: string, modelId: string) => ({
  model: createOpenAI({ apiKey: key, baseURL: `${fake.url}/v1`, maxRetries: 0 }).chatModel(modelId),
  passThrough: { baseURL: `${fake.url}/v1`, apiKey: key },
});

beforeAll(async () => {
  [primary, backup, anthropic] = await Promise.all([
    startFakeOpenAI({ apiKey: primaryKey }),
    startFakeOpenAI({ apiKey: backupKey }),
    startFakeAnthropic({ apiKey: anthropicKey }),
  ]);
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => void logs.push(line) },
    knownSecrets: [primaryKey, backupKey, anthropicKey],
  });
  gateway = createGateway({
    targets: [
      { id: 'primary', ...openaiTarget(primary, primaryKey, 'gpt-4o-mini'), priority: 0 },
      { id: 'backup', ...openaiTarget(backup, backupKey, 'gpt-4o-mini-backup'), priority: 1 },
      {
        id: 'claude',
        model: createAnthropic({ apiKey: anthropicKey, baseURL: anthropic.url, maxRetries: 0 }).chatModel(
          'claude-3-5-haiku-latest',
        ),
      },
    ],
    // `pool` fails over primary → backup; `mixed` has a target off the OpenAI wire format.
    aliases: { pool: ['primary', 'backup'], mixed: ['primary', 'claude'] },
    strategy: 'failover',
    apiKeys: [
      { id: 'client', hash: hashApiKey(clientKey) },
      { id: 'limited', hash: hashApiKey(limitedKey), requestsPerMinute: 1 },
    ],
    maxBodyBytes: 4_096,
    memory: true,
    balancer: {
      retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetriesPerTarget: 0 },
      circuitBreaker: { minimumRequests: 100 },
    },
    alerts: { intervalMs: 0 },
    logger,
    knownSecrets: [primaryKey, backupKey, anthropicKey],
    env: {},
  });
  server = await serveNode(gateway.fetch, { port: 0, nodeHandler: gateway.nodeHandler });
  client = new OpenAI({ apiKey: clientKey, baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 15_000 });
});

afterAll(async () => {
  await server.close({ timeoutMs: 2_000 });
  gateway.close();
  await Promise.all([primary.close(), backup.close(), anthropic.close()]);
});

beforeEach(() => {
  for (const fake of [primary, backup]) {
    fake.requests.length = 0;
    fake.setResponder(() => ({ text: 'OK from upstream' }));
  }
});

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json', ...headers },
    body,
  });

/** Polls until `check` passes (the books are kept just after the answer leaves). */
async function eventually(check: () => Promise<void> | void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

const metricValue = async (prefix: string): Promise<number> => {
  const text = await gateway.metrics.registry.metrics();
  const line = text.split('\n').find((row) => row.startsWith(prefix));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
};

describe('the pass-through fast path through the openai SDK', () => {
  it('relays a chat completion from the upstream, model rewritten, tokens and cost counted', async () => {
    primary.enqueue({ text: 'Hello straight from upstream', usage: { inputTokens: 11, outputTokens: 5 } });
    const tokensBefore = await metricValue(
      'ballast_llm_tokens_total{provider="openai",model="gpt-4o-mini",kind="input"}',
    );
    const { data, response } = await client.chat.completions
      .create({ model: 'primary', messages: [{ role: 'user', content: 'Hi' }], metadata: { team: 'web' } })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello straight from upstream');
    expect(data.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 5 });
    // The upstream's own body, relayed (the SDK route builds its own and has no fingerprint).
    expect(data.system_fingerprint).toBe('fp_fake');
    expect(response.headers.get('x-ballast-target')).toBe('primary');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const sent = primary.requests.at(-1)!;
    expect(sent.headers.authorization).toBe(`Bearer ${primaryKey}`);
    expect(sent.body).toMatchObject({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(sent.body).not.toHaveProperty('metadata');
    await eventually(async () => {
      expect(
        await metricValue('ballast_llm_tokens_total{provider="openai",model="gpt-4o-mini",kind="input"}'),
      ).toBe(tokensBefore + 11);
      const stats = gateway.balancer.snapshot().targets.primary;
      expect(stats?.successes).toBeGreaterThan(0);
      expect(stats?.costUsd).toBeGreaterThan(0);
    });
  });

  it('streams the upstream events; usage is asked for upstream but reaches the client only when it asked', async () => {
    primary.enqueue(
      { text: 'one two three four', chunkSize: 4, usage: { inputTokens: 3, outputTokens: 4 } },
      { text: 'five six', chunkSize: 4, usage: { inputTokens: 2, outputTokens: 2 } },
    );
    let text = '';
    let chunks = 0;
    const stream = await client.chat.completions.create({
      model: 'primary',
      messages: [{ role: 'user', content: 'Count' }],
      stream: true,
    });
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.choices.length).toBe(1);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('one two three four');
    expect(chunks).toBeGreaterThan(3);
    expect(primary.requests.at(-1)?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });

    let usage: OpenAI.CompletionUsage | null | undefined;
    const withUsage = await client.chat.completions.create({
      model: 'primary',
      messages: [{ role: 'user', content: 'More' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of withUsage) if (chunk.usage) usage = chunk.usage;
    expect(usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 2 });
    await eventually(() => {
      const stats = gateway.balancer.snapshot().targets.primary;
      expect(stats?.timeToFirstTokenMs).toBeDefined();
    });
  });

  it('relays tools, tool calls and response_format, as JSON and streamed', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    primary.enqueue(
      { toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo' } }] },
      { toolCalls: [{ id: 'call_2', name: 'get_weather', arguments: { city: 'Bergen' } }] },
      { text: '{"answer":42}' },
    );
    const answer = await client.chat.completions.create({
      model: 'primary',
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools,
      tool_choice: 'auto',
    });
    expect(answer.choices[0]?.finish_reason).toBe('tool_calls');
    expect(answer.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      id: 'call_1',
      function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
    });
    expect(primary.requests.at(-1)?.body).toMatchObject({ tools, tool_choice: 'auto' });

    const stream = await client.chat.completions.create({
      model: 'primary',
      messages: [{ role: 'user', content: 'Weather in Bergen?' }],
      tools,
      stream: true,
    });
    let argumentsText = '';
    for await (const chunk of stream)
      argumentsText += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
    expect(JSON.parse(argumentsText)).toEqual({ city: 'Bergen' });

    const format: OpenAI.ResponseFormatJSONSchema = {
      type: 'json_schema',
      json_schema: { name: 'answer', schema: { type: 'object', properties: { answer: { type: 'number' } } } },
    };
    const structured = await client.chat.completions.create({
      model: 'primary',
      messages: [{ role: 'user', content: 'The answer?' }],
      response_format: format,
    });
    expect(JSON.parse(structured.choices[0]?.message.content ?? '')).toEqual({ answer: 42 });
    expect(primary.requests.at(-1)?.body).toMatchObject({ response_format: format });
  });

  it('fails over before the first byte without the client noticing', async () => {
    const failoversBefore = await metricValue('ballast_llm_failovers_total');
    primary.enqueue(
      { fault: { type: 'status', status: 503 } },
      { fault: { type: 'cut-stream', afterChunks: 0 } },
    );
    backup.enqueue({ text: 'from the backup' }, { text: 'streamed by the backup' });
    const { data, response } = await client.chat.completions
      .create({ model: 'pool', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('from the backup');
    expect(response.headers.get('x-ballast-target')).toBe('backup');
    expect(backup.requests.at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini-backup' });

    let text = '';
    const stream = await client.chat.completions.create({
      model: 'pool',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('streamed by the backup');
    expect(await metricValue('ballast_llm_failovers_total')).toBe(failoversBefore + 2);
    await eventually(async () => {
      expect(
        await metricValue('ballast_llm_errors_total{provider="openai",model="gpt-4o-mini",'),
      ).toBeGreaterThan(0);
    });
  });

  it('turns a stream cut after its first event into an SSE error event', async () => {
    primary.enqueue({
      text: 'a long answer that will not finish',
      chunkSize: 4,
      fault: { type: 'cut-stream', afterChunks: 3 },
    });
    const stream = await client.chat.completions.create({
      model: 'primary',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    let text = '';
    const failure = await (async () => {
      try {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(text.length).toBeGreaterThan(0);
    expect(failure).toBeInstanceOf(APIError);
    expect(String((failure as Error).message)).toContain('upstream');
  });

  it('aborts the upstream call when the client disconnects mid-stream', async () => {
    const closedBefore = primary.closedByClient;
    primary.enqueue({ text: 'x'.repeat(400), chunkSize: 2, chunkDelayMs: 50 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'primary', messages: [{ role: 'user', content: 'Talk' }], stream: true },
      { signal: controller.signal },
    );
    let received = 0;
    // The SDK ends the iteration quietly (or throws) on abort: either way the client is gone.
    await (async () => {
      for await (const chunk of stream) {
        received += chunk.choices[0]?.delta.content?.length ?? 0;
        if (received >= 4) controller.abort();
      }
    })().catch(() => {});
    expect(received).toBeLessThan(400);
    await primary.whenIdle();
    expect(primary.closedByClient).toBe(closedBefore + 1);
    await eventually(() => expect(gateway.openStreams()).toBe(0));
  });
});

describe('what the fast path refuses, as the Fetch route does', () => {
  it('answers bad input with clear errors', async () => {
    const bad = async (body: string, headers: Record<string, string> = {}) => {
      const response = await post(body, headers);
      return {
        status: response.status,
        body: (await response.json()) as { error: { code: string; message: string } },
      };
    };
    expect(await bad('{"model": "primary", "messages": [')).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_json' } },
    });
    expect(await bad(JSON.stringify({ model: 'primary', messages: 'hello' }))).toMatchObject({
      status: 400,
      body: { error: { code: 'validation_failed' } },
    });
    expect(
      await bad(
        JSON.stringify({ model: 'primary', messages: [{ role: 'user', content: 'Hi' }], temperature: 'hot' }),
      ),
    ).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
    expect(
      await bad(
        JSON.stringify({ model: 'primary', messages: [{ role: 'user', content: 'Hi' }], best_of: 3 }),
      ),
    ).toMatchObject({ status: 400, body: { error: { code: 'unsupported_parameter' } } });
    expect(
      await bad(JSON.stringify({ model: 'gpt-9', messages: [{ role: 'user', content: 'Hi' }] })),
    ).toMatchObject({ status: 404, body: { error: { code: 'model_not_found' } } });
    expect(
      await bad(
        JSON.stringify({ model: 'primary', messages: [{ role: 'user', content: 'x'.repeat(10_000) }] }),
      ),
    ).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    expect(await bad('model=primary', { 'content-type': 'text/plain' })).toMatchObject({
      status: 415,
      body: { error: { code: 'unsupported_media_type' } },
    });
    expect(
      await bad(JSON.stringify({ model: 'primary', messages: [{ role: 'user', content: 'Hi' }] }), {
        authorization: 'Bearer wrong-key',
      }),
    ).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(primary.requests.length).toBe(0);
  });

  it('reports an upstream that refuses the request without failing over', async () => {
    primary.enqueue({ fault: { type: 'status', status: 400, message: 'bad things' } });
    const response = await post(
      JSON.stringify({ model: 'pool', messages: [{ role: 'user', content: 'Hi' }] }),
    );
    expect(response.status).toBe(400);
    expect(backup.requests.length).toBe(0);
  });

  it('applies per-key rate limits', async () => {
    const body = JSON.stringify({ model: 'primary', messages: [{ role: 'user', content: 'Hi' }] });
    const first = await post(body, { authorization: `Bearer ${limitedKey}` });
    const second = await post(body, { authorization: `Bearer ${limitedKey}` });
    expect(first.status).toBe(200);
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBeTruthy();
  });

  it('leaves memory requests and models with non-OpenAI targets to the Fetch route', async () => {
    const remembered = await client.chat.completions.create({
      model: 'primary',
      messages: [{ role: 'user', content: 'Remember me' }],
      // @ts-expect-error Ballast extension
      session_id: 'pass-through-session',
    });
    expect(remembered.choices[0]?.message.content).toBe('OK from upstream');
    expect(remembered.system_fingerprint).toBeUndefined();
    expect(primary.requests.at(-1)?.body).not.toHaveProperty('session_id');

    anthropic.enqueue({ text: 'from claude' });
    primary.enqueue({ fault: { type: 'status', status: 503 } });
    const mixed = await client.chat.completions.create({
      model: 'mixed',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(mixed.system_fingerprint).toBeUndefined();
    expect(mixed.choices[0]?.message.content).toBe('from claude');
  });

  it('keeps secrets out of its log lines, one request line per call', async () => {
    const before = logs.length;
    await client.chat.completions.create({ model: 'primary', messages: [{ role: 'user', content: 'Hi' }] });
    await eventually(() => {
      const lines = logs.slice(before).filter((line) => line.includes('"msg":"request"'));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ status: 200, keyId: 'client', target: 'primary' });
    });
    const all = logs.join('\n');
    for (const secret of [primaryKey, backupKey, anthropicKey, clientKey]) expect(all).not.toContain(secret);
  });

  it('answers 503 while draining', async () => {
    const probe = await createGatewayForDrain();
    try {
      probe.gateway.drain();
      const response = await fetch(`${probe.server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'primary', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('shutting_down');
    } finally {
      await probe.server.close({ timeoutMs: 1_000 });
      probe.gateway.close();
    }
  });
});

async function createGatewayForDrain() {
  const drained = createGateway({
    targets: [{ id: 'primary', ...openaiTarget(primary, primaryKey, 'gpt-4o-mini') }],
    alerts: { intervalMs: 0 },
    logger: createLogger({ level: 'silent' }),
    env: {},
  });
  return {
    gateway: drained,
    server: await serveNode(drained.fetch, { port: 0, nodeHandler: drained.nodeHandler }),
  };
}

describe('targets the CLI configures from the environment', () => {
  it('relays Groq through its OpenAI-compatible endpoint', async () => {
    const groqKey = 'gsk-pass-through-SECRET-42';
    const groq = await startFakeGroq({ apiKey: groqKey });
    const settings = loadGatewayEnvironment({
      env: { GROQ_API_KEY: groqKey, GROQ_BASE_URL: groq.url, GROQ_MODELS: 'llama-3.3-70b-versatile' },
    });
    const viaEnv = createGateway({
      targets: settings.targets,
      alerts: { intervalMs: 0 },
      logger: createLogger({ level: 'silent' }),
      env: {},
    });
    const served = await serveNode(viaEnv.fetch, { port: 0, nodeHandler: viaEnv.nodeHandler });
    try {
      groq.enqueue({ text: 'fast llama' });
      const answer = await new OpenAI({
        apiKey: 'unused',
        baseURL: `${served.url}/v1`,
        maxRetries: 0,
      }).chat.completions.create({
        model: 'llama-3.3-70b-versatile',
        messages: [{ role: 'user', content: 'Hi' }],
      });
      expect(answer.choices[0]?.message.content).toBe('fast llama');
      expect(answer.system_fingerprint).toBe('fp_fake');
      expect(groq.requests.at(-1)?.path).toBe('/openai/v1/chat/completions');
    } finally {
      await served.close({ timeoutMs: 1_000 });
      viaEnv.close();
      await groq.close();
    }
  });
});

// Pins how routeCall ends on each path (its answer, routing decision, metrics, log lines and
// stream count), so splitting it into steps changes none of them.
describe('how the fast path ends a call', () => {
  const decisionsDuring = async (run: () => Promise<void>, count = 1) => {
    const seen: RoutingDecision[] = [];
    const listener = (decision: unknown) => void seen.push(decision as RoutingDecision);
    gateway.events.on('routing-decision', listener);
    try {
      await run();
      await eventually(() => expect(seen.length).toBeGreaterThanOrEqual(count));
    } finally {
      gateway.events.off('routing-decision', listener);
    }
    return seen;
  };
  const shape = (decision: RoutingDecision) => ({
    ...decision,
    attempts: decision.attempts.map(({ target, outcome }) => ({ target, outcome })),
    requestId: typeof decision.requestId,
    latencyMs: typeof decision.latencyMs,
  });
  const hi = JSON.stringify({ model: 'pool', messages: [{ role: 'user', content: 'Hi' }] });

  it('answers 502 naming every attempt when no target serves, and records the failure', async () => {
    const failoversBefore = await metricValue('ballast_llm_failovers_total');
    primary.enqueue({ fault: { type: 'status', status: 503 } });
    backup.enqueue({ fault: { type: 'status', status: 502 } });
    let response: Response | undefined;
    const [decision] = await decisionsDuring(async () => {
      response = await post(hi, { 'x-request-id': 'all-failed-1' });
    });
    expect(response!.status).toBe(502);
    expect(await response!.json()).toEqual({
      error: { code: 'upstream_error', message: 'Every upstream provider failed (overloaded, server_error)' },
    });
    expect(shape(decision!)).toEqual({
      requestId: 'string',
      keyId: 'client',
      requestedModel: 'pool',
      stream: false,
      target: 'none',
      provider: 'none',
      model: 'none',
      strategy: 'failover',
      attempts: [
        { target: 'primary', outcome: 'overloaded' },
        { target: 'backup', outcome: 'server_error' },
      ],
      skipped: [{ target: 'claude', reason: 'capability_mismatch' }],
      latencyMs: 'number',
      costUsd: undefined,
      outcome: 'failure',
      errorCode: 'upstream_error',
    });
    expect(await metricValue('ballast_llm_failovers_total')).toBe(failoversBefore + 1);
  });

  it('records a served call with its target, tokens and cost', async () => {
    const [decision] = await decisionsDuring(async () => {
      const response = await post(hi);
      expect(response.status).toBe(200);
      await response.text();
    });
    expect(shape(decision!)).toMatchObject({
      target: 'primary',
      provider: 'openai',
      model: 'gpt-4o-mini',
      attempts: [{ target: 'primary', outcome: 'success' }],
      outcome: 'success',
    });
    expect(decision).not.toHaveProperty('errorCode');
  });

  it('books a client gone before the first byte as 499 client_disconnected', async () => {
    const statusBefore = await metricValue(
      'ballast_http_requests_total{route="/v1/chat/completions",method="POST",status="499"}',
    );
    let release!: () => void;
    primary.enqueue({ fault: { type: 'hold', until: new Promise<void>((resolve) => (release = resolve)) } });
    const controller = new AbortController();
    const [decision] = await decisionsDuring(async () => {
      const pending = fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
        body: hi,
        signal: controller.signal,
      }).catch(() => undefined);
      await eventually(() => expect(primary.requests.length).toBe(1));
      controller.abort();
      await pending;
    });
    release();
    expect(shape(decision!)).toMatchObject({
      target: 'none',
      attempts: [{ target: 'primary', outcome: 'cancelled' }],
      outcome: 'failure',
      errorCode: 'client_disconnected',
    });
    await eventually(async () =>
      expect(
        await metricValue(
          'ballast_http_requests_total{route="/v1/chat/completions",method="POST",status="499"}',
        ),
      ).toBe(statusBefore + 1),
    );
  });

  it('books a stream cut after its first event as a failure of its target, and closes the stream', async () => {
    primary.enqueue({
      text: 'a long answer that will not finish',
      chunkSize: 4,
      fault: { type: 'cut-stream', afterChunks: 3 },
    });
    const before = logs.length;
    const [decision] = await decisionsDuring(async () => {
      const response = await post(
        JSON.stringify({ model: 'pool', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
      );
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('error');
    });
    expect(shape(decision!)).toMatchObject({
      stream: true,
      target: 'none',
      attempts: [{ target: 'primary', outcome: 'network_error' }],
      outcome: 'failure',
      errorCode: 'upstream_error',
    });
    await eventually(() => expect(gateway.openStreams()).toBe(0));
    const lines = logs.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line.msg === 'stream failed after the first token')).toMatchObject({
      level: 'warn',
      code: 'network_error',
    });
    expect(lines.find((line) => line.msg === 'request')).toMatchObject({
      status: 200,
      target: 'primary',
      attempts: 1,
      outcome: 'upstream_error',
    });
  });

  it('books a client gone mid-stream as client_disconnected and closes the stream', async () => {
    primary.enqueue({ text: 'x'.repeat(400), chunkSize: 2, chunkDelayMs: 50 });
    const before = logs.length;
    const controller = new AbortController();
    const [decision] = await decisionsDuring(async () => {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'primary', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
      await reader.read().catch(() => undefined);
    });
    expect(shape(decision!)).toMatchObject({
      stream: true,
      target: 'none',
      attempts: [{ target: 'primary', outcome: 'cancelled' }],
      errorCode: 'client_disconnected',
    });
    await eventually(() => expect(gateway.openStreams()).toBe(0));
    await primary.whenIdle();
    const lines = logs.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.some((line) => line.msg === 'client disconnected mid-stream')).toBe(true);
    expect(lines.find((line) => line.msg === 'request')).toMatchObject({
      status: 200,
      target: 'primary',
      attempts: 1,
      outcome: 'client_disconnected',
    });
  });
});

describe('re-tries of the same target on the fast path', () => {
  it('re-tries a lone target after the policy wait, until the retry budget is spent', async () => {
    const retrying = createGateway({
      targets: [{ id: 'primary', ...openaiTarget(primary, primaryKey, 'gpt-4o-mini') }],
      balancer: {
        retry: {
          baseDelayMs: 1,
          maxDelayMs: 2,
          maxRetriesPerTarget: 1,
          budget: { ratio: 0, minPerSecond: 0 },
        },
        circuitBreaker: { minimumRequests: 100 },
      },
      alerts: { intervalMs: 0 },
      logger: createLogger({ level: 'silent' }),
      env: {},
    });
    const served = await serveNode(retrying.fetch, { port: 0, nodeHandler: retrying.nodeHandler });
    const seen: RoutingDecision[] = [];
    retrying.events.on('routing-decision', (decision) => void seen.push(decision as RoutingDecision));
    const call = () =>
      fetch(`${served.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'primary', messages: [{ role: 'user', content: 'Hi' }] }),
      });
    try {
      primary.enqueue({ fault: { type: 'status', status: 503 } }, { text: 'second time lucky' });
      const first = await call();
      expect(first.status).toBe(200);
      expect(
        ((await first.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message
          .content,
      ).toBe('second time lucky');
      primary.enqueue({ fault: { type: 'status', status: 503 } });
      const second = await call();
      expect(second.status).toBe(502);
      expect(await second.json()).toEqual({
        error: {
          code: 'upstream_error',
          message: 'Every upstream provider failed (overloaded, retry_budget_exhausted)',
        },
      });
      await eventually(() => expect(seen).toHaveLength(2));
      expect(
        seen.map((decision) => decision.attempts.map((item) => `${item.target}:${item.outcome}`)),
      ).toEqual([
        ['primary:overloaded', 'primary:success'],
        ['primary:overloaded', 'primary:retry_budget_exhausted'],
      ]);
      expect(primary.requests).toHaveLength(3);
    } finally {
      await served.close({ timeoutMs: 1_000 });
      retrying.close();
    }
  });
});

describe('retry bookkeeping on the fast path', () => {
  it('counts a re-try of the same target in ballast_llm_retries_total, as the Fetch route does', async () => {
    const retrying = createGateway({
      targets: [{ id: 'primary', ...openaiTarget(primary, primaryKey, 'gpt-4o-mini') }],
      memory: true,
      balancer: {
        retry: { baseDelayMs: 1, maxDelayMs: 2, maxRetriesPerTarget: 1 },
        circuitBreaker: { minimumRequests: 100 },
      },
      alerts: { intervalMs: 0 },
      logger: createLogger({ level: 'silent' }),
      env: {},
    });
    const served = await serveNode(retrying.fetch, { port: 0, nodeHandler: retrying.nodeHandler });
    const retries = async () => {
      const text = await retrying.metrics.registry.metrics();
      const line = text.split('\n').find((row) => row.startsWith('ballast_llm_retries_total '));
      return Number(line?.split(' ')[1] ?? 0);
    };
    const call = (extra: Record<string, unknown>) =>
      fetch(`${served.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'primary', messages: [{ role: 'user', content: 'Hi' }], ...extra }),
      });
    try {
      primary.enqueue({ fault: { type: 'status', status: 503 } }, { text: 'through the Fetch route' });
      const viaFetchRoute = await call({ session_id: 'retry-bookkeeping' });
      expect(viaFetchRoute.status).toBe(200);
      expect(await retries()).toBe(1);

      primary.enqueue({ fault: { type: 'status', status: 503 } }, { text: 'through the fast path' });
      const viaFastPath = await call({});
      expect(viaFastPath.status).toBe(200);
      expect(viaFastPath.headers.get('x-ballast-target')).toBe('primary');
      expect(await retries()).toBe(2);
    } finally {
      await served.close({ timeoutMs: 1_000 });
      retrying.close();
    }
  });
});

describe('the retry budget on the fast path', () => {
  it('never charges or refuses a failover to a target the call has not tried, as the balancer does', async () => {
    const budgeted = createGateway({
      targets: [
        { id: 'primary', ...openaiTarget(primary, primaryKey, 'gpt-4o-mini'), priority: 0 },
        { id: 'backup', ...openaiTarget(backup, backupKey, 'gpt-4o-mini-backup'), priority: 1 },
      ],
      aliases: { pool: ['primary', 'backup'] },
      strategy: 'failover',
      balancer: {
        // One token at the start and none earned: a second charge would be refused.
        retry: {
          baseDelayMs: 1,
          maxDelayMs: 2,
          maxRetriesPerTarget: 0,
          budget: { ratio: 0, minPerSecond: 0 },
        },
        circuitBreaker: { minimumRequests: 100 },
      },
      alerts: { intervalMs: 0 },
      logger: createLogger({ level: 'silent' }),
      env: {},
    });
    const served = await serveNode(budgeted.fetch, { port: 0, nodeHandler: budgeted.nodeHandler });
    const seen: RoutingDecision[] = [];
    budgeted.events.on('routing-decision', (decision) => void seen.push(decision as RoutingDecision));
    try {
      for (let index = 0; index < 3; index++) {
        primary.enqueue({ fault: { type: 'status', status: 503 } });
        backup.enqueue({ text: `from the backup ${index}` });
        const response = await fetch(`${served.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'pool', messages: [{ role: 'user', content: 'Hi' }] }),
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('x-ballast-target')).toBe('backup');
        await response.text();
      }
      await eventually(() => expect(seen).toHaveLength(3));
      for (const decision of seen)
        expect(decision.attempts.map((item) => `${item.target}:${item.outcome}`)).toEqual([
          'primary:overloaded',
          'backup:success',
        ]);
    } finally {
      await served.close({ timeoutMs: 1_000 });
      budgeted.close();
    }
  });
});
