import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeLlmServer } from './fake-llm-server';
import { startFakeOllama } from './ollama-dialect';

let fake: FakeLlmServer;

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${fake.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

const request = { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] };

const parseNdjson = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, unknown>);

beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(() => fake.close());

describe('Ollama dialect', () => {
  it('answers stream:false with one JSON object, done_reason, counts and nanosecond durations', async () => {
    fake.enqueue({
      text: 'Checking.',
      toolCalls: [{ name: 'get_load', arguments: { node: 'pve1' } }],
      usage: { inputTokens: 12, outputTokens: 8 },
    });
    const response = await post({ ...request, stream: false });
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      model: 'llama3.2',
      message: {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [{ function: { name: 'get_load', arguments: { node: 'pve1' } } }],
      },
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 12,
      eval_count: 8,
    });
    expect(body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect(body.total_duration).toBeGreaterThan(body.eval_duration as number);
    // Ollama sends no tool-call ids.
    expect(JSON.stringify(body)).not.toContain('"id"');
  });

  it('streams NDJSON by default (no stream field), tool calls whole in one done:false line', async () => {
    fake.enqueue({
      text: 'Hello world',
      chunkSize: 5,
      toolCalls: [
        { name: 'a', arguments: { x: 1 } },
        { name: 'b', arguments: { y: 2 } },
      ],
      usage: { inputTokens: 3, outputTokens: 4 },
    });
    const response = await post(request);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = parseNdjson(await response.text());
    expect(lines.map((line) => (line.message as { content: string }).content)).toEqual([
      'Hello',
      ' worl',
      'd',
      '',
      '',
    ]);
    expect(lines[3]).toMatchObject({
      done: false,
      message: {
        tool_calls: [
          { function: { name: 'a', arguments: { x: 1 } } },
          { function: { name: 'b', arguments: { y: 2 } } },
        ],
      },
    });
    expect(lines.slice(0, -1).every((line) => line.done === false)).toBe(true);
    expect(lines.at(-1)).toMatchObject({
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 3,
      eval_count: 4,
    });
  });

  it('renders length as done_reason length', async () => {
    fake.enqueue({ text: 'cut', finish: 'length' });
    const body = (await (await post({ ...request, stream: false })).json()) as Record<string, unknown>;
    expect(body.done_reason).toBe('length');
  });

  it('answers /api/version and /api/tags', async () => {
    expect(await (await fetch(`${fake.url}/api/version`)).json()).toEqual({ version: expect.any(String) });
    const tags = (await (await fetch(`${fake.url}/api/tags`)).json()) as { models: Array<{ name: string }> };
    expect(tags.models[0]?.name).toBe('llama3.2:latest');
  });

  it('sends Ollama error bodies: {"error": "..."}', async () => {
    fake.enqueue(
      { fault: { type: 'status', status: 404 } },
      { fault: { type: 'status', status: 503 } },
      { fault: { type: 'status', status: 400, message: 'invalid format' } },
    );
    const notFound = await post(request);
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({ error: 'model "llama3.2" not found, try pulling it first' });
    expect(await (await post(request)).json()).toEqual({
      error: 'server busy, please try again.  maximum pending requests exceeded',
    });
    expect(await (await post(request)).json()).toEqual({ error: 'invalid format' });
  });

  it('sends a broken NDJSON line for malformed-json on a stream', async () => {
    fake.enqueue({ text: 'abcdefgh', fault: { type: 'malformed-json' } });
    const lines = (await (await post(request)).text()).split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(() => JSON.parse(lines[1] ?? '')).toThrow();
  });

  it('checks a Bearer key only when started with one', async () => {
    const guarded = await startFakeOllama({ apiKey: 'proxy-key' });
    try {
      const send = (headers: Record<string, string>) =>
        fetch(`${guarded.url}/api/chat`, { method: 'POST', headers, body: JSON.stringify(request) });
      const denied = await send({});
      expect(denied.status).toBe(401);
      expect(await denied.json()).toEqual({ error: expect.any(String) });
      expect((await send({ authorization: 'Bearer proxy-key' })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
