import {
  AbortedError,
  apiCallErrorFromResponse,
  type BallastError,
  describeNetworkFailure,
  invalidResponseError,
  isNetworkFailure,
  sanitizeCause,
} from '@ballast/core';
import OpenAI from 'openai';

/**
 * Converts anything the `openai` SDK throws into a Ballast error: HTTP errors by status and body,
 * connection failures (including bodies cut mid-way) as retryable `network_error`, unparseable
 * responses as `invalid_response`.
 *
 * @example
 * ```ts
 * try { await client.chat.completions.create(body); }
 * catch (error) { throw toOpenAIError(error, { provider: 'openai', modelId, apiKey }); }
 * ```
 */
export function toOpenAIError(
  error: unknown,
  context: { provider: string; modelId: string; apiKey: string },
): BallastError {
  const base = {
    provider: context.provider,
    modelId: context.modelId,
    cause: error,
    secrets: [context.apiKey],
  };
  if (error instanceof OpenAI.APIUserAbortError)
    return new AbortedError({ cause: sanitizeCause(error, base.secrets) });
  if (
    error instanceof OpenAI.APIConnectionError ||
    (!(error instanceof OpenAI.APIError) && isNetworkFailure(error))
  ) {
    return apiCallErrorFromResponse({ ...base, message: describeNetworkFailure(error) });
  }
  if (error instanceof OpenAI.APIError) {
    return apiCallErrorFromResponse({
      ...base,
      statusCode: error.status,
      headers: error.headers,
      body: error.error,
      message: error.message,
    });
  }
  return invalidResponseError({ ...base, detail: error instanceof Error ? error.message : String(error) });
}
