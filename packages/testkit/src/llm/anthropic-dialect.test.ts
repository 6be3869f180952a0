import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from './anthropic-dialect';
import type { FakeLlmServer } from './fake-llm-server';

const apiKey = 'sk-ant-fake-key';
let fake: FakeLlmServer;

const post = (body: unknown, headers: Record<string, string> = { 'x-api-key': apiKey }) =>
  fetch(`${fake.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: JSON.stringify(body),
  });

const request = { model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };

/** Splits an SSE body into `{ event, data }` pairs. */
function parseSse(text: string): Array<{ event: string; data: Record<string, unknown> }> {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim())
    .map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      return {
        event: eventLine?.replace(/^event: /, '') ?? '',
        data: JSON.parse(dataLine?.replace(/^data: /, '') ?? '{}') as Record<string, unknown>,
      };
    });
}

beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey });
});
afterAll(() => fake.close());

describe('Anthropic dialect', () => {
  it('answers a Messages call with text and tool_use blocks, stop_reason and split usage', async () => {
    fake.enqueue({
      text: 'Checking.',
      toolCalls: [{ name: 'get_load', arguments: { node: 'pve1' } }],
      usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 60 },
    });
    const response = await post(request);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown> & {
      content: Array<Record<string, unknown>>;
    };
    expect(body).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5',
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 40,
        cache_read_input_tokens: 60,
        cache_creation_input_tokens: 0,
        output_tokens: 20,
      },
    });
    expect(body.id).toMatch(/^msg_01/);
    expect(body.content[0]).toMatchObject({ type: 'text', text: 'Checking.' });
    expect(body.content[1]).toMatchObject({ type: 'tool_use', name: 'get_load', input: { node: 'pve1' } });
    expect(body.content[1]?.id).toMatch(/^toolu_01/);
  });

  it('maps neutral finishes to Anthropic stop reasons', async () => {
    const reasons: string[] = [];
    for (const finish of ['stop', 'length', 'tool_calls', 'content_filter'] as const) {
      fake.enqueue({ text: 'x', finish });
      reasons.push(((await (await post(request)).json()) as { stop_reason: string }).stop_reason);
    }
    expect(reasons).toEqual(['end_turn', 'max_tokens', 'tool_use', 'refusal']);
  });

  it('streams the real event sequence with event: lines', async () => {
    fake.enqueue({
      text: 'Hello',
      chunkSize: 3,
      toolCalls: [{ id: 'toolu_x', name: 'f', arguments: { a: 1 } }],
      usage: { inputTokens: 10, outputTokens: 7 },
    });
    const response = await post({ ...request, stream: true });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await response.text());
    expect(events.every((event) => event.event === event.data.type)).toBe(true);
    expect(events.map((event) => event.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[3]?.data).toEqual({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: 'Hel' },
    });
    expect(events[6]?.data).toMatchObject({
      index: 1,
      content_block: { type: 'tool_use', id: 'toolu_x', name: 'f', input: {} },
    });
    const json = events
      .slice(7, 11)
      .map((event) => (event.data.delta as { partial_json: string }).partial_json)
      .join('');
    expect(json).toBe('{"a":1}');
    expect(events[12]?.data).toMatchObject({
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 7 },
    });
  });

  it('accepts the key as x-api-key or Bearer, and rejects a wrong one with authentication_error', async () => {
    fake.enqueue({ text: 'a' }, { text: 'b' });
    expect((await post(request)).status).toBe(200);
    expect((await post(request, { authorization: `Bearer ${apiKey}` })).status).toBe(200);
    const denied = await post(request, { 'x-api-key': 'wrong' });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [529, 'overloaded_error'],
  ])('renders HTTP %i as %s with a request-id', async (status, type) => {
    fake.enqueue({ fault: { type: 'status', status } });
    const response = await post(request);
    expect(response.status).toBe(status);
    const body = (await response.json()) as { request_id: string };
    expect(body).toMatchObject({ type: 'error', error: { type, message: expect.any(String) } });
    expect(response.headers.get('request-id')).toBe(body.request_id);
  });

  it('sends a broken event for malformed-json on streams', async () => {
    fake.enqueue({ text: 'x', fault: { type: 'malformed-json' } });
    const text = await (await post({ ...request, stream: true })).text();
    const last = text.trim().split('\n\n').at(-1) ?? '';
    expect(last).toMatch(/^event: content_block_delta\ndata: /);
    expect(() => JSON.parse(last.split('\ndata: ')[1] ?? '')).toThrow();
  });
});
