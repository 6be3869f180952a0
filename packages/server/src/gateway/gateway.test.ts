import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  adminKey,
  anthropicKey,
  clientKey,
  type GatewayFixture,
  startGatewayFixture,
  upstreamKey,
} from './gateway.test-helper';

let fixture: GatewayFixture;
let client: OpenAI;

beforeAll(async () => {
  fixture = await startGatewayFixture();
  client = new OpenAI({ apiKey: clientKey, baseURL: `${fixture.url}/v1`, maxRetries: 0, timeout: 15_000 });
});
afterAll(async () => {
  await fixture.close();
});
beforeEach(() => {
  fixture.openai.setResponder(() => ({ text: 'OK from openai' }));
  fixture.anthropic.setResponder(() => ({ text: 'OK from anthropic' }));
});

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${fixture.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json', ...headers },
    body,
  });

describe('POST /v1/chat/completions through the openai SDK', () => {
  it('answers a chat completion from the model asked for', async () => {
    fixture.openai.enqueue({ text: 'Hello from the fake', usage: { inputTokens: 7, outputTokens: 4 } });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]?.message.content).toBe('Hello from the fake');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 });
    expect(response.headers.get('x-ballast-provider')).toBe('openai');
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('streams SSE chunks that add up to the answer, with a usage chunk when asked', async () => {
    fixture.anthropic.enqueue({
      text: 'one two three four five',
      chunkSize: 4,
      usage: { inputTokens: 3, outputTokens: 5 },
    });
    const stream = await client.chat.completions.create({
      model: 'claude-3-5-haiku-latest',
      messages: [{ role: 'user', content: 'Count' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('one two three four five');
    expect(chunks).toBeGreaterThan(3);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 5 });
  });

  it('maps tools and tool calls, JSON and streamed', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'get_node_load',
          description: 'Load of a Proxmox node',
          parameters: { type: 'object', properties: { node: { type: 'string' } }, required: ['node'] },
        },
      },
    ];
    fixture.openai.enqueue({
      toolCalls: [{ id: 'call_1', name: 'get_node_load', arguments: { node: 'pve1' } }],
    });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Load of pve1?' }],
      tools,
      tool_choice: 'auto',
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.name).toBe('get_node_load');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ node: 'pve1' });
    const sent = fixture.openai.requests.at(-1)?.body as { tools?: unknown[]; tool_choice?: unknown };
    expect(sent.tools).toHaveLength(1);
    expect(sent.tool_choice).toBe('auto');

    // The tool result goes back with the tool's name recovered from the assistant call.
    fixture.openai.enqueue({
      toolCalls: [{ id: 'call_2', name: 'get_node_load', arguments: { node: 'pve2' } }],
    });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: 'Load of pve1?' },
        completion.choices[0]!.message,
        { role: 'tool', tool_call_id: 'call_1', content: '{"cpu":0.9}' },
      ],
      tools,
      stream: true,
    });
    const calls = new Map<number, { id?: string; name?: string; args: string }>();
    for await (const chunk of stream)
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const entry = calls.get(delta.index) ?? { args: '' };
        if (delta.id) entry.id = delta.id;
        if (delta.function?.name) entry.name = delta.function.name;
        entry.args += delta.function?.arguments ?? '';
        calls.set(delta.index, entry);
      }
    expect(calls.get(0)).toMatchObject({ id: 'call_2', name: 'get_node_load' });
    expect(JSON.parse(calls.get(0)!.args)).toEqual({ node: 'pve2' });
  });

  it('forwards response_format as a JSON schema', async () => {
    fixture.openai.enqueue({ text: '{"replicas":3}' });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'How many replicas?' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'advice',
          schema: { type: 'object', properties: { replicas: { type: 'integer' } } },
        },
      },
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual({ replicas: 3 });
    const sent = fixture.openai.requests.at(-1)?.body as { response_format?: { type: string } };
    expect(sent.response_format?.type).toBe('json_schema');
  });

  it('fails over before the first token without the client noticing', async () => {
    fixture.anthropic.enqueue({ fault: { type: 'status', status: 503, message: 'overloaded' } });
    fixture.openai.enqueue({ text: 'served by the fallback' });
    const stream = await client.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('served by the fallback');
  });

  it('turns a failure after the first token into an SSE error event', async () => {
    fixture.openai.setResponder(() => ({
      text: 'this answer will be cut off halfway through',
      chunkSize: 5,
      fault: { type: 'cut-stream', afterChunks: 3 },
    }));
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    let text = '';
    const consume = async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    };
    const error = await consume().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(APIError);
    expect(text.length).toBeGreaterThan(0);
    expect((error as APIError).message).not.toContain(upstreamKey);
  });

  it('lists models, aliases and provider/model names', async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'gpt-4o-mini',
        'claude-3-5-haiku-latest',
        'fast',
        'smart',
        'auto',
        'openai/gpt-4o-mini',
      ]),
    );
  });

  it('answers 404 for an unknown model', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-9', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as APIError).code).toBe('model_not_found');
  });
});

describe('bad input, keys and limits', () => {
  it('refuses a missing or wrong key with 401', async () => {
    const anonymous = await fetch(`${fixture.url}/v1/models`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    const wrong = new OpenAI({ apiKey: 'sk-wrong', baseURL: `${fixture.url}/v1`, maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('refuses admin routes to a plain key with 403', async () => {
    const response = await fetch(`${fixture.url}/api/config`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
      body: '{"cpu_threshold":50}',
    });
    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe('forbidden');
  });

  it('answers malformed JSON, wrong types and unknown parameters with 400', async () => {
    const malformed = await post('/v1/chat/completions', '{"model": "gpt-4o-mini", "messages": [');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('invalid_json');

    const wrongTypes = await post('/v1/chat/completions', JSON.stringify({ model: 42, messages: 'hi' }));
    expect(wrongTypes.status).toBe(400);
    const body = await wrongTypes.json();
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.issues.map((issue: { path: string }) => issue.path)).toEqual(
      expect.arrayContaining(['model', 'messages']),
    );

    const unknown = await post(
      '/v1/chat/completions',
      JSON.stringify({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'x' }],
        presence_penalty: 1,
      }),
    );
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toMatchObject({ code: 'unsupported_parameter' });
  });

  it('refuses a huge body with 413 and stays up', async () => {
    const huge = JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x'.repeat(2_000_000) }],
    });
    const response = await post('/v1/chat/completions', huge);
    expect(response.status).toBe(413);
    expect((await response.json()).error.code).toBe('payload_too_large');
    expect((await fetch(`${fixture.url}/healthz`)).status).toBe(200);
  });

  it('cancels the upstream call when the client disconnects mid-stream', async () => {
    // 1 000 chunks, 200 ms apart: minutes of streaming unless the gateway cancels the upstream call.
    fixture.openai.setResponder(() => ({ text: 'ab'.repeat(1_000), chunkSize: 2, chunkDelayMs: 200 }));
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true },
      { signal: controller.signal },
    );
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) break; // leaving the loop aborts the request
    }
    controller.abort();
    await expect
      .poll(() => fixture.gateway.balancer.health().reduce((sum, target) => sum + target.inFlight, 0), {
        timeout: 15_000,
        interval: 50,
      })
      .toBe(0);
    await expect.poll(() => fixture.gateway.openStreams(), { timeout: 15_000 }).toBe(0);
    fixture.openai.setResponder(() => ({ text: 'still alive' }));
    const after = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(after.choices[0]?.message.content).toBe('still alive');
  });

  it('never shows an upstream key in responses or logs', async () => {
    // A broken upstream key: the provider answers 401 with a message that echoes part of the key.
    fixture.openai.setResponder(() => ({
      fault: { type: 'status', status: 401, message: `Incorrect API key provided: ${upstreamKey}` },
    }));
    fixture.anthropic.setResponder(() => ({
      fault: { type: 'status', status: 500, message: `internal error for key ${anthropicKey}` },
    }));
    const response = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'Hi' }] }),
    );
    const text = await response.text();
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(JSON.parse(text).error.code).toBe('upstream_error');
    for (const secret of [upstreamKey, anthropicKey, clientKey, adminKey]) {
      expect(text).not.toContain(secret);
      expect(fixture.logs.join('\n')).not.toContain(secret);
    }
    expect(fixture.logs.join('\n')).toContain('"routing decision"');
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After once a key has spent its budget', async () => {
    const limited = await startGatewayFixture({ requestsPerMinute: 2 });
    try {
      const call = () =>
        fetch(`${limited.url}/v1/models`, { headers: { authorization: `Bearer ${clientKey}` } });
      expect((await call()).status).toBe(200);
      expect((await call()).status).toBe(200);
      const third = await call();
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await third.json()).error.code).toBe('rate_limited');
      // Another key has its own bucket.
      const admin = await fetch(`${limited.url}/v1/models`, {
        headers: { authorization: `Bearer ${adminKey}` },
      });
      expect(admin.status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
