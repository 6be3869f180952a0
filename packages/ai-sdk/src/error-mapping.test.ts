import {
  AISDKError,
  APICallError,
  InvalidArgumentError,
  InvalidPromptError,
  JSONParseError,
  LoadAPIKeyError,
  LoadSettingError,
  NoSuchModelError,
  TypeValidationError,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import {
  AbortedError,
  ApiCallError,
  BallastError,
  CollectorError,
  ConfigError,
  NoHealthyTargetError,
  TimeoutError,
  ValidationError,
} from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { aiSdkErrorFromBallast } from './ai-sdk-error-from-ballast';
import { ballastErrorFromAiSdk } from './ballast-error-from-ai-sdk';

const context = { provider: 'ballast.balancer', modelId: 'chat', request: { messages: [] } };
const rateLimited = new ApiCallError({
  message: 'openai:gpt-4o-mini failed (HTTP 429): slow down',
  code: 'rate_limited',
  provider: 'openai',
  modelId: 'gpt-4o-mini',
  statusCode: 429,
  responseBody: '{"error":{"code":"rate_limit_exceeded"}}',
  requestId: 'req_123',
  isRetryable: true,
  retryAfterMs: 1500,
});
const everyTargetDown = new NoHealthyTargetError({
  message: 'no target could serve the call',
  attempts: [{ target: 'primary', outcome: 'overloaded', message: '503', durationMs: 3 }],
});
const ballastErrors: Array<[string, BallastError]> = [
  ['ApiCallError', rateLimited],
  ['NoHealthyTargetError', everyTargetDown],
  ['TimeoutError', new TimeoutError({ timeoutMs: 50 })],
  [
    'ValidationError',
    new ValidationError({ message: 'bad', issues: [{ path: 'messages', message: 'empty' }] }),
  ],
  ['ConfigError', new ConfigError({ message: 'no key' })],
  ['CollectorError', new CollectorError({ message: 'down', source: 'proxmox' })],
];

describe('Ballast errors → AI SDK errors', () => {
  it('an ApiCallError becomes an APICallError with status, body, retry flag and retry headers', () => {
    const mapped = aiSdkErrorFromBallast(rateLimited, context) as APICallError;
    expect(APICallError.isInstance(mapped)).toBe(true);
    expect(mapped).toMatchObject({
      message: rateLimited.message,
      statusCode: 429,
      isRetryable: true,
      responseBody: rateLimited.responseBody,
      responseHeaders: { 'retry-after-ms': '1500', 'x-request-id': 'req_123' },
      url: 'ballast:ballast.balancer/chat',
      requestBodyValues: context.request,
      cause: rateLimited,
      data: expect.objectContaining({ code: 'rate_limited', provider: 'openai', retryAfterMs: 1500 }),
    });
  });

  it.each([
    ['NoHealthyTargetError', everyTargetDown, APICallError, true],
    ['TimeoutError', new TimeoutError({ timeoutMs: 50 }), APICallError, true],
    ['ValidationError', ballastErrors[3]?.[1], InvalidArgumentError, undefined],
    ['ConfigError', new ConfigError({ message: 'no key' }), LoadSettingError, undefined],
    ['CollectorError', new CollectorError({ message: 'down', source: 'proxmox' }), AISDKError, undefined],
  ] as const)('%s becomes the matching AI SDK error', (_, error, expectedClass, isRetryable) => {
    const mapped = aiSdkErrorFromBallast(error, context);
    expect(expectedClass.isInstance(mapped)).toBe(true);
    expect((mapped as Error).cause).toBe(error);
    if (isRetryable !== undefined) expect((mapped as APICallError).isRetryable).toBe(isRetryable);
  });

  it('an abort by the caller becomes the AbortError a fetch would throw', () => {
    const controller = new AbortController();
    controller.abort();
    const mapped = aiSdkErrorFromBallast(new AbortedError(), { ...context, abortSignal: controller.signal });
    expect(mapped).toBe(controller.signal.reason);
    expect((mapped as Error).name).toBe('AbortError');

    const withReason = new AbortController();
    withReason.abort('the user left');
    const fromReason = aiSdkErrorFromBallast(new AbortedError(), {
      ...context,
      abortSignal: withReason.signal,
    });
    expect((fromReason as Error).name).toBe('AbortError');
  });

  it('leaves foreign errors as they are', () => {
    const foreign = new RangeError('not Ballast');
    expect(aiSdkErrorFromBallast(foreign, context)).toBe(foreign);
  });
});

describe('AI SDK errors → Ballast errors', () => {
  const target = { provider: 'openai', modelId: 'gpt-4o-mini' };
  const apiCall = (options: Partial<ConstructorParameters<typeof APICallError>[0]>) =>
    new APICallError({
      message: 'failed',
      url: 'http://127.0.0.1/v1/chat/completions',
      requestBodyValues: {},
      ...options,
    });

  it.each([
    [
      '429 with retry-after',
      apiCall({ statusCode: 429, isRetryable: true, responseHeaders: { 'retry-after': '2' } }),
      { code: 'rate_limited', isRetryable: true, retryAfterMs: 2000, statusCode: 429 },
    ],
    [
      '429 with retry-after-ms',
      apiCall({ statusCode: 429, isRetryable: true, responseHeaders: { 'retry-after-ms': '250' } }),
      { code: 'rate_limited', retryAfterMs: 250 },
    ],
    [
      '429 insufficient_quota',
      apiCall({
        statusCode: 429,
        isRetryable: true,
        responseBody: '{"error":{"code":"insufficient_quota","message":"You exceeded your quota"}}',
      }),
      { code: 'quota_exhausted', isRetryable: false, isTargetUnavailable: true },
    ],
    ['401', apiCall({ statusCode: 401 }), { code: 'authentication_failed', isTargetUnavailable: true }],
    ['500', apiCall({ statusCode: 500, isRetryable: true }), { code: 'server_error', isRetryable: true }],
    [
      'no status, retryable (connection refused)',
      apiCall({
        message: 'Cannot connect to API: fetch failed',
        isRetryable: true,
        cause: new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }),
      }),
      { code: 'network_error', isRetryable: true },
    ],
    ['no status, not retryable', apiCall({ isRetryable: false }), { code: 'api_error', isRetryable: false }],
    [
      'NoSuchModelError',
      new NoSuchModelError({ modelId: 'gpt-9', modelType: 'languageModel' }),
      { code: 'model_not_found', isTargetUnavailable: true, isRetryable: false },
    ],
    [
      'LoadAPIKeyError',
      new LoadAPIKeyError({ message: 'OpenAI API key is missing' }),
      { code: 'authentication_failed', isTargetUnavailable: true },
    ],
    [
      'LoadSettingError',
      new LoadSettingError({ message: 'baseURL missing' }),
      { code: 'api_error', isTargetUnavailable: true },
    ],
    [
      'JSONParseError',
      new JSONParseError({ text: '{"broken', cause: new SyntaxError('Unexpected end') }),
      { code: 'invalid_response', isRetryable: true },
    ],
    [
      'TypeValidationError',
      new TypeValidationError({ value: {}, cause: new Error('missing choices') }),
      { code: 'invalid_response', isRetryable: true },
    ],
    [
      'UnsupportedFunctionalityError',
      new UnsupportedFunctionalityError({ functionality: 'audio input' }),
      { code: 'bad_request', isRetryable: false, isTargetUnavailable: false },
    ],
    [
      'InvalidPromptError',
      new InvalidPromptError({ prompt: [], message: 'empty prompt' }),
      { code: 'validation_failed' },
    ],
    [
      'InvalidArgumentError',
      new InvalidArgumentError({ argument: 'temperature', message: 'must be ≤ 2' }),
      { code: 'validation_failed', issues: [{ path: 'temperature', message: 'must be ≤ 2' }] },
    ],
    ['an AbortError', new DOMException('This operation was aborted', 'AbortError'), { code: 'aborted' }],
    [
      'a bare network failure',
      new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }),
      { code: 'network_error', isRetryable: true },
    ],
    ['anything else', new Error('unexpected'), { code: 'api_error', isRetryable: false }],
  ] as const)('%s', (_, error, expected) => {
    const mapped = ballastErrorFromAiSdk(error, target);
    expect(BallastError.isInstance(mapped)).toBe(true);
    expect(mapped).toMatchObject(expected);
  });

  it('removes the given secrets from messages, bodies and causes', () => {
    const secret = ['sk', 'live', 'abcdefghijklmnop'].join('-');
    const error = apiCall({
      message: `Incorrect API key provided: ${secret}`,
      statusCode: 401,
      responseBody: `{"error":{"message":"Incorrect API key provided: ${secret}"}}`,
    });
    const mapped = ballastErrorFromAiSdk(error, { ...target, secrets: [secret] }) as ApiCallError;
    const visible = [
      mapped.message,
      mapped.responseBody,
      String(mapped.cause),
      (mapped.cause as Error).stack,
    ].join('\n');
    expect(visible).not.toContain(secret);
  });

  it.each(ballastErrors)('a %s survives the round trip through the AI SDK as itself', (_, error) => {
    expect(ballastErrorFromAiSdk(aiSdkErrorFromBallast(error, context), target)).toBe(error);
  });
});
