import { ApiCallError } from '@ballast/core';
import { type LoopbackServer, leakedKeyFragments, startKeyEchoServer } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropic } from './anthropic-provider';

// Assembled at run time so no key-shaped literal is committed.
const apiKey = ['sk-ant-', 'Q7zXv9Lw3Pk', 'Rt2Yb8NcM5dHjW4'].join('');
let upstream: LoopbackServer;

beforeAll(async () => {
  upstream = await startKeyEchoServer(apiKey);
});
afterAll(() => upstream.close());

describe('anthropic errors never carry the API key (issue 10)', () => {
  it('keeps no fragment of an echoed key in the error, its cause chain or its JSON', async () => {
    const error = await createAnthropic({ apiKey, baseURL: upstream.url, maxRetries: 0 })
      .chatModel('claude-sonnet-4-5')
      .chat({ messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'authentication_failed', statusCode: 401 });
    expect(leakedKeyFragments(error, apiKey)).toEqual([]);
    // The cause is still useful: class name and status survive.
    expect((error as Error).cause).toMatchObject({ status: 401 });
  });
});
