import { ApiCallError } from '@ballast/core';
import { type LoopbackServer, leakedKeyFragments, startKeyEchoServer } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOllama } from './ollama-provider';

// Assembled at run time so no key-shaped literal is committed.
const apiKey = ['pk_', 'Q7zXv9Lw3Pk', 'Rt2Yb8NcM5dHjW4'].join('');
let upstream: LoopbackServer;

beforeAll(async () => {
  upstream = await startKeyEchoServer(apiKey);
});
afterAll(() => upstream.close());

describe('ollama errors never carry the API key (issue 10)', () => {
  it('keeps no fragment of an echoed key in the error, its cause chain or its JSON', async () => {
    const error = await createOllama({ apiKey, host: upstream.url })
      .chatModel('llama3.2')
      .chat({ messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'authentication_failed', statusCode: 401 });
    expect(leakedKeyFragments(error, apiKey)).toEqual([]);
    // The cause is still useful: class name and status survive.
    expect((error as Error).cause).toMatchObject({ status_code: 401 });
  });
});
