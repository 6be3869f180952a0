import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { clientKey, startGatewayFixture } from '../gateway/gateway.test-helper';
import { isDebugEnabled } from '../logging/logger';

describe('graceful shutdown', () => {
  it('lets an in-flight stream finish, then refuses new work', async () => {
    const fixture = await startGatewayFixture();
    try {
      // 20 chunks, 30 ms apart: the stream is still running when close() starts.
      fixture.openai.setResponder(() => ({ text: 'abcdefghij'.repeat(4), chunkSize: 2, chunkDelayMs: 30 }));
      const client = new OpenAI({ apiKey: clientKey, baseURL: `${fixture.url}/v1`, maxRetries: 0 });
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'long answer' }],
        stream: true,
      });
      const iterator = stream[Symbol.asyncIterator]();
      let text = (await iterator.next()).value?.choices[0]?.delta.content ?? '';
      fixture.gateway.drain();
      const closing = fixture.server.close({ timeoutMs: 20_000 });
      const health = await fetch(`${fixture.url}/healthz`).then(
        (response) => response.status,
        () => 'refused',
      );
      expect([503, 'refused']).toContain(health);
      for (let next = await iterator.next(); !next.done; next = await iterator.next())
        text += next.value.choices[0]?.delta.content ?? '';
      expect(text).toBe('abcdefghij'.repeat(4));
      await closing;
      expect(fixture.server.inFlight()).toBe(0);
    } finally {
      await fixture.close();
    }
  });
});

describe('CORS', () => {
  it('answers preflights for allowed origins only and tags responses', async () => {
    const fixture = await startGatewayFixture({ cors: { origins: ['https://ui.example.com'] } });
    try {
      const preflight = (origin: string) =>
        fetch(`${fixture.url}/v1/chat/completions`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      const allowed = await preflight('https://ui.example.com');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ui.example.com');
      expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
      expect((await preflight('https://evil.example.com')).status).toBe(403);
      const models = await fetch(`${fixture.url}/v1/models`, {
        headers: { origin: 'https://ui.example.com', authorization: `Bearer ${clientKey}` },
      });
      expect(models.headers.get('access-control-allow-origin')).toBe('https://ui.example.com');
    } finally {
      await fixture.close();
    }
  });
});

describe('DEBUG', () => {
  it('turns on verbose logs for ballast:* namespaces', () => {
    expect(isDebugEnabled({ DEBUG: 'ballast:*' })).toBe(true);
    expect(isDebugEnabled({ DEBUG: 'express:*,ballast:server' })).toBe(true);
    expect(isDebugEnabled({ DEBUG: 'ballast:*,-ballast:server' })).toBe(false);
    expect(isDebugEnabled({})).toBe(false);
  });
});
