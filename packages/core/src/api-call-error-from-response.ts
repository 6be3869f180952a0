import { ApiCallError } from './errors/api-call-error';
import type { ApiCallErrorCode } from './errors/error-codes';
import { DEFAULT_MAX_ERROR_BODY_PARSE_LENGTH } from './input-limits';
import { redactSecrets, redactThenTruncate } from './redact';
import { type HeadersLike, parseRetryAfterMs, readHeader } from './retry-after';
import { sanitizeCause } from './sanitize-cause';

/** What an adapter knows about a failed HTTP call, in whatever shape its SDK exposed it. */
export interface FailedResponse {
  provider: string;
  modelId?: string;
  /** HTTP status; `undefined` for network failures (connection refused, reset, DNS). */
  statusCode?: number | undefined;
  headers?: HeadersLike;
  /** Parsed error body (object) or raw text. */
  body?: unknown;
  /** The SDK's own message, used when the body has none. */
  message?: string | undefined;
  url?: string | undefined;
  cause?: unknown;
  /** Credentials the adapter holds; removed from every text the error carries. */
  secrets?: ReadonlyArray<string | undefined>;
}

const maxBodyLength = 2_000;
const maxMessageLength = 1_000;

/**
 * Turns a failed provider response into an {@link ApiCallError} with a normalized `code`, the
 * right `isRetryable` (408/409/429/5xx and network errors) and `retryAfterMs` from the headers.
 *
 * Body hints refine the status: OpenAI `insufficient_quota` (a 429 that retrying cannot fix),
 * `model_not_found` and Groq `model_decommissioned` (this target cannot serve), Groq
 * `tool_use_failed` (a retryable broken generation), Anthropic `overloaded_error`, and
 * context-length errors.
 *
 * @example
 * ```ts
 * throw apiCallErrorFromResponse({ provider: 'openai', modelId, statusCode: 429, headers, body });
 * ```
 */
export function apiCallErrorFromResponse(failure: FailedResponse): ApiCallError {
  const hints = readErrorHints(failure.body);
  const { code, isRetryable, isTargetUnavailable } = classify(failure.statusCode, hints);
  const secrets = failure.secrets ?? [];
  const detail =
    hints.message ??
    failure.message ??
    (failure.statusCode ? `HTTP ${failure.statusCode}` : 'request failed');
  const where = failure.modelId ? `${failure.provider}:${failure.modelId}` : failure.provider;
  const status = failure.statusCode === undefined ? '' : ` (HTTP ${failure.statusCode})`;
  const bodyText = stringifyBody(failure.body);
  return new ApiCallError({
    message: redactThenTruncate(`${where} failed${status}: ${detail}`, maxMessageLength, secrets),
    code,
    provider: failure.provider,
    modelId: failure.modelId,
    statusCode: failure.statusCode,
    url: failure.url === undefined ? undefined : redactSecrets(failure.url, secrets),
    responseBody: bodyText === undefined ? undefined : redactThenTruncate(bodyText, maxBodyLength, secrets),
    requestId: readHeader(failure.headers, 'x-request-id') ?? readHeader(failure.headers, 'request-id'),
    isRetryable,
    isTargetUnavailable,
    retryAfterMs: parseRetryAfterMs(failure.headers),
    // The SDK error holds headers and body, where an upstream may have echoed the key.
    cause: sanitizeCause(failure.cause, secrets),
  });
}

interface ErrorHints {
  message?: string;
  /** Lower-cased `error.code` / `error.type` strings found in the body. */
  tags: string[];
}

function readErrorHints(body: unknown): ErrorHints {
  const tags: string[] = [];
  let message: string | undefined;
  const visit = (value: unknown) => {
    if (typeof value === 'string') {
      message ??= value;
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    for (const key of ['code', 'type', 'status']) {
      const tag = record[key];
      if (typeof tag === 'string' && tag !== 'error') tags.push(tag.toLowerCase());
    }
    if (typeof record.message === 'string') message ??= record.message;
    if ('error' in record) visit(record.error);
  };
  if (typeof body === 'string' && body.length > DEFAULT_MAX_ERROR_BODY_PARSE_LENGTH) {
    // Too big to be a real error body: keep a prefix as the message, do not parse it.
    message = body.slice(0, 300).trim() || undefined;
  } else if (typeof body === 'string') {
    try {
      visit(JSON.parse(body));
    } catch {
      if (body.trim()) message = body.trim().slice(0, 300);
    }
  } else {
    visit(body);
  }
  if (message) tags.push(message.toLowerCase());
  return message === undefined ? { tags } : { message, tags };
}

function classify(
  status: number | undefined,
  hints: ErrorHints,
): { code: ApiCallErrorCode; isRetryable: boolean; isTargetUnavailable: boolean } {
  const has = (...needles: string[]) =>
    hints.tags.some((tag) => needles.some((needle) => tag.includes(needle)));
  const result = (code: ApiCallErrorCode, isRetryable: boolean, isTargetUnavailable = false) => ({
    code,
    isRetryable,
    isTargetUnavailable,
  });

  if (status === undefined) {
    // Errors sent inside a stream (Anthropic `event: error`, OpenAI `{"error":...}` chunks) carry
    // no HTTP status; their body still says what happened.
    if (has('overloaded')) return result('overloaded', true);
    if (has('rate_limit')) return result('rate_limited', true);
    if (has('api_error', 'server_error')) return result('server_error', true);
    return result('network_error', true);
  }
  if (has('model_decommissioned', 'model_not_found', 'decommissioned') || (status === 404 && has('model'))) {
    return result('model_not_found', false, true);
  }
  if (has('tool_use_failed')) return result('model_tool_error', true);
  if (has('insufficient_quota', 'billing')) return result('quota_exhausted', false, true);
  if (
    has(
      'context_length_exceeded',
      'context length',
      'context window',
      'prompt is too long',
      'maximum context',
    )
  ) {
    return result('context_length_exceeded', false);
  }
  if (has('content_filter', 'content_policy')) return result('content_filtered', false);
  if (has('overloaded')) return result('overloaded', true);

  switch (status) {
    case 400:
    case 422:
      return result('bad_request', false);
    case 401:
      return result('authentication_failed', false, true);
    case 403:
      return result('permission_denied', false, true);
    case 404:
      return result('not_found', false, true);
    case 408:
      return result('request_timeout', true);
    case 409:
      return result('conflict', true);
    case 413:
      return result('request_too_large', false);
    case 429:
      return result('rate_limited', true);
    case 503:
    case 529:
      return result('overloaded', true);
    default:
      if (status >= 500) return result('server_error', true);
      return result('api_error', false);
  }
}

function stringifyBody(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  try {
    return JSON.stringify(body);
  } catch {
    return String(body);
  }
}

/**
 * A retryable `invalid_response` error: the provider answered, but not in a form that could be
 * read (malformed JSON, a broken stream event, a body without the expected fields).
 *
 * @example
 * ```ts
 * throw invalidResponseError({ provider: 'groq', modelId, detail: error.message, secrets: [apiKey], cause: error });
 * ```
 */
export function invalidResponseError(options: {
  provider: string;
  modelId: string;
  detail: string;
  url?: string | undefined;
  secrets?: ReadonlyArray<string | undefined>;
  cause?: unknown;
}): ApiCallError {
  const secrets = options.secrets ?? [];
  return new ApiCallError({
    message: redactThenTruncate(
      `${options.provider}:${options.modelId} sent a response that could not be read: ${options.detail}`,
      maxMessageLength,
      secrets,
    ),
    code: 'invalid_response',
    provider: options.provider,
    modelId: options.modelId,
    url: options.url === undefined ? undefined : redactSecrets(options.url, secrets),
    isRetryable: true,
    cause: sanitizeCause(options.cause, secrets),
  });
}
