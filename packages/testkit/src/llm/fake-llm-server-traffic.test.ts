import { describe, expect, it } from 'vitest';
import { startFakeOpenAI } from './openai-dialect';

const post = (url: string, body: unknown, signal?: AbortSignal) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });

/** A promise the test resolves by hand: the `hold` fault answers when it settles. */
function gate() {
  let open: () => void = () => {};
  const until = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { until, open };
}

describe('fake LLM server traffic counters', () => {
  it('counts requests in flight and their high-water mark, and resolves whenIdle at 0', async () => {
    const fake = await startFakeOpenAI();
    try {
      const held = gate();
      fake.setResponder(() => ({ fault: { type: 'hold', until: held.until } }));
      const calls = [1, 2, 3].map(() => post(fake.url, { model: 'm', messages: [] }));
      while (fake.inFlight < 3) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(fake.inFlight).toBe(3);
      expect(fake.maxInFlight).toBe(3);
      let idle = false;
      const whenIdle = fake.whenIdle().then(() => {
        idle = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(idle).toBe(false);
      held.open();
      expect((await Promise.all(calls)).map((response) => response.status)).toEqual([200, 200, 200]);
      await whenIdle;
      expect(fake.inFlight).toBe(0);
      expect(fake.maxInFlight).toBe(3);
      fake.resetMaxInFlight();
      expect(fake.maxInFlight).toBe(0);
      expect(fake.closedByClient).toBe(0);
      await fake.whenIdle(); // already idle: resolves at once
    } finally {
      await fake.close();
    }
  });

  it('counts connections the client closed before the answer, not those the server dropped', async () => {
    const fake = await startFakeOpenAI();
    try {
      fake.enqueue({ fault: { type: 'hang' } }, { fault: { type: 'reset' } });
      const controller = new AbortController();
      const hung = post(fake.url, { model: 'm', messages: [] }, controller.signal).catch(() => 'aborted');
      while (fake.inFlight < 1) await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort();
      expect(await hung).toBe('aborted');
      await fake.whenIdle();
      expect(fake.closedByClient).toBe(1);
      await post(fake.url, { model: 'm', messages: [] }).catch(() => 'reset');
      await fake.whenIdle();
      expect(fake.closedByClient).toBe(1);
      expect(fake.requestsReceived).toBe(2);
    } finally {
      await fake.close();
    }
  });

  it('keeps only the newest requests in its log, counting all of them', async () => {
    const fake = await startFakeOpenAI({ requestLogSize: 3 });
    try {
      for (let index = 0; index < 5; index++)
        await (await post(fake.url, { model: `m${index}`, messages: [] })).text();
      expect(fake.requestsReceived).toBe(5);
      expect(fake.requests.map((request) => (request.body as { model: string }).model)).toEqual([
        'm2',
        'm3',
        'm4',
      ]);
    } finally {
      await fake.close();
    }
  });

  it('does not blame the client for connections close() destroys', async () => {
    const fake = await startFakeOpenAI();
    fake.enqueue({ fault: { type: 'hang' } });
    const hung = post(fake.url, { model: 'm', messages: [] }).catch(() => 'failed');
    while (fake.inFlight < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await fake.close();
    expect(await hung).toBe('failed');
    await fake.whenIdle();
    expect(fake.closedByClient).toBe(0);
    expect(fake.inFlight).toBe(0);
  });
});
