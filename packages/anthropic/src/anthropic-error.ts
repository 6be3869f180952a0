import { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import {
  AbortedError,
  apiCallErrorFromResponse,
  type BallastError,
  describeNetworkFailure,
  invalidResponseError,
  isNetworkFailure,
  sanitizeCause,
} from '@ballast/core';

/**
 * The HTTP status Anthropic uses for each error `type`. An `event: error` inside a stream arrives
 * after a 200, so the SDK reports it without a status; the type tells what the status would be.
 */
const statusByErrorType: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/**
 * Converts anything `@anthropic-ai/sdk` throws into a Ballast error: HTTP errors by status and
 * body (`overloaded_error` and 529 become a retryable `overloaded`), errors sent as an
 * `event: error` mid-stream by their type, connection failures and resets as a retryable
 * `network_error`, and unreadable responses as a retryable `invalid_response`. The API key is
 * removed from every text the error carries.
 *
 * @example
 * ```ts
 * try { await client.messages.create(body); }
 * catch (error) { throw toAnthropicError(error, { modelId: 'claude-sonnet-4-6', apiKey }); }
 * ```
 */
export function toAnthropicError(error: unknown, context: { modelId: string; apiKey: string }): BallastError {
  const provider = 'anthropic';
  const { modelId } = context;
  const secrets = [context.apiKey];
  if (error instanceof APIUserAbortError) return new AbortedError({ cause: sanitizeCause(error, secrets) });
  if (error instanceof APIConnectionError || (!(error instanceof APIError) && isNetworkFailure(error))) {
    return apiCallErrorFromResponse({
      provider,
      modelId,
      message: describeNetworkFailure(error),
      cause: error,
      secrets,
    });
  }
  if (error instanceof APIError) {
    const type = error.type ?? undefined;
    const statusCode = error.status ?? (type === undefined ? undefined : statusByErrorType[type]);
    return apiCallErrorFromResponse({
      provider,
      modelId,
      statusCode,
      headers: error.headers,
      body: error.error,
      message: error.message,
      cause: error,
      secrets,
    });
  }
  return invalidResponseError({
    provider,
    modelId,
    detail: error instanceof Error ? error.message : String(error),
    secrets,
    cause: error,
  });
}
