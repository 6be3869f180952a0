import { describe, expect, it } from 'vitest';
import { startFakeOpenAI } from './openai-dialect';

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k', ...headers },
    body: JSON.stringify(body),
  });

describe('fake LLM server harness', () => {
  it('listens on 127.0.0.1, records requests and answers in queue order, then from the responder', async () => {
    const fake = await startFakeOpenAI({ responder: () => ({ text: 'fallback' }) });
    try {
      expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      fake.enqueue({ text: 'first' });
      const first = (await (await post(fake.url, { model: 'm', messages: [] })).json()) as {
        choices: Array<{ message: { content: string } }>;
      };
      const second = (await (await post(fake.url, { model: 'm', messages: [] })).json()) as typeof first;
      expect(first.choices[0]?.message.content).toBe('first');
      expect(second.choices[0]?.message.content).toBe('fallback');
      expect(fake.requests.map((request) => request.path)).toEqual([
        '/v1/chat/completions',
        '/v1/chat/completions',
      ]);
      expect(fake.pending()).toBe(0);
    } finally {
      await fake.close();
    }
  });

  it('rejects a wrong key with the provider 401 body', async () => {
    const fake = await startFakeOpenAI({ apiKey: 'right' });
    try {
      const response = await post(fake.url, { model: 'm', messages: [] }, { authorization: 'Bearer wrong' });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    } finally {
      await fake.close();
    }
  });

  it('answers unknown routes with 404', async () => {
    const fake = await startFakeOpenAI();
    try {
      expect((await fetch(`${fake.url}/v2/unknown`)).status).toBe(404);
    } finally {
      await fake.close();
    }
  });

  it('delays, and sends Retry-After with a status fault', async () => {
    const fake = await startFakeOpenAI();
    try {
      fake.enqueue(
        { fault: { type: 'delay', ms: 60 }, text: 'late' },
        { fault: { type: 'status', status: 429, retryAfter: '3' } },
      );
      const started = performance.now();
      expect((await post(fake.url, { model: 'm', messages: [] })).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(50);
      const limited = await post(fake.url, { model: 'm', messages: [] });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('3');
    } finally {
      await fake.close();
    }
  });

  it('closes cleanly while a request hangs, failing the hung client', async () => {
    const fake = await startFakeOpenAI();
    fake.enqueue({ fault: { type: 'hang' } });
    const hung = post(fake.url, { model: 'm', messages: [] }).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await fake.close();
    expect(await hung).toBe('failed');
  });

  it('streams SSE chunks ending in [DONE]', async () => {
    const fake = await startFakeOpenAI();
    try {
      fake.enqueue({ text: 'abcdefgh', chunkSize: 4 });
      const text = await (await post(fake.url, { model: 'm', messages: [], stream: true })).text();
      const events = text.split('\n\n').filter(Boolean);
      expect(events.at(-1)).toBe('data: [DONE]');
      expect(events.filter((event) => event.includes('"content":"abcd"'))).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });
});
