import { describe, expect, it } from 'vitest';
import { apiCallErrorFromResponse } from './api-call-error-from-response';

describe('apiCallErrorFromResponse', () => {
  const cases = [
    {
      name: 'network failure',
      statusCode: undefined,
      body: undefined,
      code: 'network_error',
      retryable: true,
      unavailable: false,
    },
    {
      name: '400',
      statusCode: 400,
      body: { error: { message: 'bad' } },
      code: 'bad_request',
      retryable: false,
      unavailable: false,
    },
    {
      name: '401',
      statusCode: 401,
      body: undefined,
      code: 'authentication_failed',
      retryable: false,
      unavailable: true,
    },
    {
      name: '403',
      statusCode: 403,
      body: undefined,
      code: 'permission_denied',
      retryable: false,
      unavailable: true,
    },
    {
      name: '404 plain',
      statusCode: 404,
      body: 'Not Found',
      code: 'not_found',
      retryable: false,
      unavailable: true,
    },
    {
      name: '404 model',
      statusCode: 404,
      body: { error: { code: 'model_not_found' } },
      code: 'model_not_found',
      retryable: false,
      unavailable: true,
    },
    {
      name: 'ollama 404',
      statusCode: 404,
      body: { error: 'model "llama9" not found, try pulling it first' },
      code: 'model_not_found',
      retryable: false,
      unavailable: true,
    },
    {
      name: '408',
      statusCode: 408,
      body: undefined,
      code: 'request_timeout',
      retryable: true,
      unavailable: false,
    },
    { name: '409', statusCode: 409, body: undefined, code: 'conflict', retryable: true, unavailable: false },
    {
      name: '413',
      statusCode: 413,
      body: undefined,
      code: 'request_too_large',
      retryable: false,
      unavailable: false,
    },
    {
      name: '429',
      statusCode: 429,
      body: undefined,
      code: 'rate_limited',
      retryable: true,
      unavailable: false,
    },
    {
      name: '429 quota',
      statusCode: 429,
      body: { error: { code: 'insufficient_quota' } },
      code: 'quota_exhausted',
      retryable: false,
      unavailable: true,
    },
    {
      name: '500',
      statusCode: 500,
      body: undefined,
      code: 'server_error',
      retryable: true,
      unavailable: false,
    },
    {
      name: '502',
      statusCode: 502,
      body: undefined,
      code: 'server_error',
      retryable: true,
      unavailable: false,
    },
    {
      name: '503',
      statusCode: 503,
      body: undefined,
      code: 'overloaded',
      retryable: true,
      unavailable: false,
    },
    {
      name: 'anthropic 529',
      statusCode: 529,
      body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      code: 'overloaded',
      retryable: true,
      unavailable: false,
    },
    {
      name: 'groq tool_use_failed',
      statusCode: 400,
      body: { error: { code: 'tool_use_failed' } },
      code: 'model_tool_error',
      retryable: true,
      unavailable: false,
    },
    {
      name: 'groq decommissioned',
      statusCode: 400,
      body: { error: { code: 'model_decommissioned' } },
      code: 'model_not_found',
      retryable: false,
      unavailable: true,
    },
    {
      name: 'context length',
      statusCode: 400,
      body: { error: { code: 'context_length_exceeded' } },
      code: 'context_length_exceeded',
      retryable: false,
      unavailable: false,
    },
    {
      name: 'anthropic prompt too long',
      statusCode: 400,
      body: {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'prompt is too long: 210000 tokens > 200000 maximum',
        },
      },
      code: 'context_length_exceeded',
      retryable: false,
      unavailable: false,
    },
    {
      name: '418 other',
      statusCode: 418,
      body: undefined,
      code: 'api_error',
      retryable: false,
      unavailable: false,
    },
  ] as const;

  it.each(cases)('classifies $name as $code', ({ statusCode, body, code, retryable, unavailable }) => {
    const error = apiCallErrorFromResponse({ provider: 'p', modelId: 'm', statusCode, body });
    expect(error).toMatchObject({
      code,
      isRetryable: retryable,
      isTargetUnavailable: unavailable,
      statusCode,
    });
  });

  it.each([
    [{ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'overloaded'],
    [{ error: { type: 'rate_limit_error' } }, 'rate_limited'],
    [{ error: { type: 'api_error' } }, 'server_error'],
  ])('classifies an in-stream error without a status by its body: %o', (body, code) => {
    expect(apiCallErrorFromResponse({ provider: 'p', body })).toMatchObject({ code, isRetryable: true });
  });

  it('reads Retry-After in seconds, milliseconds and as an HTTP date', () => {
    const at = (headers: Record<string, string>) =>
      apiCallErrorFromResponse({ provider: 'p', statusCode: 429, headers }).retryAfterMs;
    expect(at({ 'retry-after': '3' })).toBe(3000);
    expect(at({ 'Retry-After-Ms': '250' })).toBe(250);
    const inFiveSeconds = new Date(Date.now() + 5_000).toUTCString();
    expect(at({ 'retry-after': inFiveSeconds })).toBeGreaterThan(3_000);
    expect(at({ 'retry-after': 'soon' })).toBeUndefined();
  });

  it('keeps secrets out of the message, body and url', () => {
    const key = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345';
    const error = apiCallErrorFromResponse({
      provider: 'openai',
      statusCode: 401,
      url: `https://example.invalid/v1?key=${key}`,
      body: { error: { message: `Incorrect API key provided: ${key}` } },
      secrets: [key],
    });
    const everything = `${error.message} ${error.responseBody} ${error.url} ${JSON.stringify(error)}`;
    expect(everything).not.toContain(key);
    expect(error.message).toContain('[redacted]');
  });

  it('truncates huge bodies', () => {
    const error = apiCallErrorFromResponse({ provider: 'p', statusCode: 500, body: 'x'.repeat(100_000) });
    expect(error.responseBody?.length).toBeLessThanOrEqual(2_000);
  });
});
