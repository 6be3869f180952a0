import {
  AbortedError,
  ApiCallError,
  apiCallErrorFromResponse,
  type BallastError,
  describeNetworkFailure,
  type HeadersLike,
  invalidResponseError,
  isNetworkFailure,
  redactSecrets,
  sanitizeCause,
} from '@ballast/core';

/**
 * What {@link toOllamaError} needs to describe a failure.
 *
 * @example
 * ```ts
 * const context: OllamaErrorContext = { modelId: 'llama3.2', url: 'http://127.0.0.1:11434/api/chat' };
 * ```
 */
export interface OllamaErrorContext {
  modelId: string;
  /** The URL the call went to (`<host>/api/chat`). */
  url?: string;
  /** Headers of the HTTP response, when one arrived (for `Retry-After` and request ids from proxies). */
  headers?: HeadersLike | undefined;
  /** Credentials to remove from every text the error carries. */
  secrets?: ReadonlyArray<string | undefined>;
  /** True when the error was thrown while reading an NDJSON stream that had already started. */
  midStream?: boolean;
}

const provider = 'ollama';
/** ollama-js throws this plain Error when an NDJSON stream ends without a `done: true` line. */
const unfinishedStream = 'Did not receive done or success response in stream.';

/**
 * Converts anything the `ollama` SDK (or fetch under it) throws into a Ballast error:
 * `ResponseError` (`status_code`, `error`) by status and message, so a 404 "model not found"
 * becomes `model_not_found` and marks the target unavailable; refused or reset connections
 * become retryable `network_error`; unparseable bodies and unfinished streams become retryable
 * `invalid_response`; an `{"error": ...}` line inside a stream becomes a retryable `server_error`.
 *
 * @example
 * ```ts
 * try { await client.chat(body); } catch (error) { throw toOllamaError(error, { modelId: 'llama3.2' }); }
 * ```
 */
export function toOllamaError(error: unknown, context: OllamaErrorContext): BallastError {
  const secrets = context.secrets ?? [];
  const base = {
    provider,
    modelId: context.modelId,
    url: context.url,
    headers: context.headers,
    cause: error,
    secrets,
  };
  if (isAbortError(error)) return new AbortedError({ cause: sanitizeCause(error, secrets) });
  if (isResponseError(error)) {
    return apiCallErrorFromResponse({
      ...base,
      statusCode: error.status_code,
      body: { error: error.error },
      message: error.message,
    });
  }
  if (isNetworkFailure(error))
    return apiCallErrorFromResponse({ ...base, message: describeNetworkFailure(error) });

  const message = error instanceof Error ? error.message : String(error);
  const where = `${provider}:${context.modelId}`;
  const invalid = (detail: string) =>
    invalidResponseError({
      provider,
      modelId: context.modelId,
      detail,
      url: context.url,
      secrets,
      cause: error,
    });
  if (error instanceof SyntaxError) return invalid(message);
  if (message === unfinishedStream) return invalid('the stream ended before a done line');
  if (context.midStream && error instanceof Error && error.constructor === Error) {
    // ollama-js rethrows an `{"error": "..."}` NDJSON line as a plain Error: the server failed mid-answer.
    return new ApiCallError({
      message: redactSecrets(`${where} failed mid-stream: ${message}`, secrets),
      code: 'server_error',
      provider,
      modelId: context.modelId,
      url: context.url === undefined ? undefined : redactSecrets(context.url, secrets),
      responseBody: redactSecrets(JSON.stringify({ error: message }), secrets),
      isRetryable: true,
      cause: sanitizeCause(error, secrets),
    });
  }
  return invalid(message);
}

/** ollama-js does not export `ResponseError`; recognize it by shape. */
function isResponseError(error: unknown): error is Error & { error: string; status_code: number } {
  return (
    error instanceof Error &&
    error.name === 'ResponseError' &&
    typeof (error as { status_code?: unknown }).status_code === 'number'
  );
}

function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
