import {
  AISDKError,
  APICallError,
  EmptyResponseBodyError,
  InvalidArgumentError,
  InvalidPromptError,
  InvalidResponseDataError,
  JSONParseError,
  LoadAPIKeyError,
  LoadSettingError,
  NoContentGeneratedError,
  NoSuchModelError,
  TypeValidationError,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import {
  AbortedError,
  ApiCallError,
  type ApiCallErrorCode,
  apiCallErrorFromResponse,
  BallastError,
  describeNetworkFailure,
  invalidResponseError,
  isNetworkFailure,
  redactThenTruncate,
  sanitizeCause,
  ValidationError,
} from '@ballast/core';

/** Which model failed, and the credentials to keep out of the error. */
export interface AiSdkFailureContext {
  provider: string;
  modelId: string;
  /** Removed from every text the Ballast error carries. */
  secrets?: ReadonlyArray<string | undefined> | undefined;
}

const maxMessageLength = 1_000;

/**
 * Converts whatever an AI SDK provider model threw into a Ballast error, so a balancer retries,
 * fails over or stops exactly as it does for its own adapters:
 *
 * - `APICallError` → `ApiCallError` classified from its status code and body (429 →
 *   `rate_limited` with `retryAfterMs` from `retry-after-ms`/`retry-after`, 401 →
 *   `authentication_failed`, 5xx → `server_error`, no status but retryable → `network_error`);
 * - `NoSuchModelError` → `model_not_found`, `LoadAPIKeyError` → `authentication_failed` (this
 *   target cannot serve: fail over); unreadable responses (`JSONParseError`,
 *   `TypeValidationError`, …) → retryable `invalid_response`;
 * - `UnsupportedFunctionalityError` → `bad_request`; `InvalidPromptError` and
 *   `InvalidArgumentError` → `ValidationError`; an `AbortError` → `AbortedError`;
 * - an error that wraps a Ballast error (one made by `createBallastLanguageModel`) → that Ballast
 *   error itself, so a round trip loses nothing.
 *
 * Secrets are removed from messages and bodies, and the cause is sanitized.
 *
 * @example
 * ```ts
 * try { await languageModel.doGenerate(options); }
 * catch (error) { throw ballastErrorFromAiSdk(error, { provider: 'openai', modelId: 'gpt-4o-mini' }); }
 * ```
 */
export function ballastErrorFromAiSdk(error: unknown, context: AiSdkFailureContext): BallastError {
  if (BallastError.isInstance(error)) return error;
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (BallastError.isInstance(cause)) return cause;
  const secrets = context.secrets ?? [];
  const base = { provider: context.provider, modelId: context.modelId, secrets, cause: error };

  if (isAbortError(error)) return new AbortedError({ cause: sanitizeCause(error, secrets) });
  if (APICallError.isInstance(error)) {
    const mapped = apiCallErrorFromResponse({
      ...base,
      statusCode: error.statusCode,
      headers: error.responseHeaders,
      body: error.responseBody ?? error.data,
      message: error.message,
      url: error.url,
    });
    // Without a status, the classification falls back to "network error"; the AI SDK knows better
    // when it says the failure is not retryable.
    if (error.statusCode === undefined && !error.isRetryable && !isNetworkFailure(error.cause)) {
      return ballastApiError('api_error', error.message, context, error, { isRetryable: false });
    }
    return mapped;
  }
  if (NoSuchModelError.isInstance(error)) {
    return ballastApiError('model_not_found', error.message, context, error, {
      isRetryable: false,
      isTargetUnavailable: true,
    });
  }
  if (LoadAPIKeyError.isInstance(error)) {
    return ballastApiError('authentication_failed', error.message, context, error, {
      isRetryable: false,
      isTargetUnavailable: true,
    });
  }
  if (LoadSettingError.isInstance(error)) {
    return ballastApiError('api_error', error.message, context, error, {
      isRetryable: false,
      isTargetUnavailable: true,
    });
  }
  if (
    JSONParseError.isInstance(error) ||
    TypeValidationError.isInstance(error) ||
    InvalidResponseDataError.isInstance(error) ||
    EmptyResponseBodyError.isInstance(error) ||
    NoContentGeneratedError.isInstance(error)
  ) {
    return invalidResponseError({ ...base, detail: error.message });
  }
  if (UnsupportedFunctionalityError.isInstance(error)) {
    return ballastApiError('bad_request', error.message, context, error, { isRetryable: false });
  }
  if (InvalidPromptError.isInstance(error) || InvalidArgumentError.isInstance(error)) {
    const path = InvalidArgumentError.isInstance(error) ? error.argument : 'prompt';
    const message = redactThenTruncate(error.message, maxMessageLength, secrets);
    return new ValidationError({
      message: `${context.provider}:${context.modelId} refused the request: ${message}`,
      issues: [{ path, message }],
      cause: sanitizeCause(error, secrets),
    });
  }
  if (isNetworkFailure(error)) {
    return apiCallErrorFromResponse({ ...base, message: describeNetworkFailure(error) });
  }
  const message = AISDKError.isInstance(error) || error instanceof Error ? error.message : String(error);
  return ballastApiError('api_error', message, context, error, { isRetryable: false });
}

function ballastApiError(
  code: ApiCallErrorCode,
  message: string,
  context: AiSdkFailureContext,
  cause: unknown,
  flags: { isRetryable: boolean; isTargetUnavailable?: boolean },
): ApiCallError {
  const secrets = context.secrets ?? [];
  return new ApiCallError({
    message: redactThenTruncate(
      `${context.provider}:${context.modelId} failed: ${message}`,
      maxMessageLength,
      secrets,
    ),
    code,
    provider: context.provider,
    modelId: context.modelId,
    ...flags,
    cause: sanitizeCause(cause, secrets),
  });
}

/** The AI SDK's own test (`isAbortError` in provider-utils): fetch and stream aborts. */
function isAbortError(error: unknown): boolean {
  return (
    (error instanceof Error || error instanceof DOMException) &&
    (error.name === 'AbortError' || error.name === 'ResponseAborted')
  );
}
