import {
  AbortedError,
  ApiCallError,
  apiCallErrorFromResponse,
  type BallastError,
  redactSecrets,
} from '@ballast/core';
import OpenAI from 'openai';

/**
 * Converts anything the `openai` SDK throws into a Ballast error: HTTP errors by status and body,
 * connection failures as retryable `network_error`, unparseable responses as `invalid_response`.
 */
export function toOpenAIError(
  error: unknown,
  context: { provider: string; modelId: string; apiKey: string },
): BallastError {
  const secrets = [context.apiKey];
  if (error instanceof OpenAI.APIUserAbortError) return new AbortedError({ cause: error });
  if (error instanceof OpenAI.APIConnectionError) {
    return apiCallErrorFromResponse({
      provider: context.provider,
      modelId: context.modelId,
      message: describeCause(error),
      cause: error,
      secrets,
    });
  }
  if (error instanceof OpenAI.APIError) {
    return apiCallErrorFromResponse({
      provider: context.provider,
      modelId: context.modelId,
      statusCode: error.status,
      headers: error.headers,
      body: error.error,
      message: error.message,
      cause: error,
      secrets,
    });
  }
  if (isNetworkFailure(error)) {
    return apiCallErrorFromResponse({
      provider: context.provider,
      modelId: context.modelId,
      message: describeCause(error),
      cause: error,
      secrets,
    });
  }
  return new ApiCallError({
    message: redactSecrets(
      `${context.provider}:${context.modelId} sent a response that could not be read: ${(error as Error)?.message ?? String(error)}`,
      secrets,
    ),
    code: 'invalid_response',
    provider: context.provider,
    modelId: context.modelId,
    isRetryable: true,
    cause: error,
  });
}

/** Body streams that break mid-way surface as undici `TypeError: terminated` or socket errors. */
function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  return (
    error.message === 'terminated' ||
    error.message === 'fetch failed' ||
    (typeof code === 'string' &&
      /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|UND_ERR_SOCKET|UND_ERR_)/.test(code))
  );
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { message?: string; code?: string } | undefined;
  const detail = cause?.code ?? cause?.message;
  return detail ? `${error.message} (${detail})` : error.message;
}
