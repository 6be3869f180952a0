import { AISDKError, APICallError, InvalidArgumentError, LoadSettingError } from '@ai-sdk/provider';
import {
  AbortedError,
  ApiCallError,
  BallastError,
  ConfigError,
  NoHealthyTargetError,
  TimeoutError,
  ValidationError,
} from '@ballast/core';

/** What the bridge knows about the call that failed. */
export interface FailedCallContext {
  provider: string;
  modelId: string;
  /** The Ballast request, reported as `requestBodyValues` like an HTTP provider reports its body. */
  request: unknown;
  /** The caller's signal: an abort is rethrown as its reason, as `fetch` does. */
  abortSignal?: AbortSignal | undefined;
}

/**
 * Converts whatever a Ballast model threw into what the AI SDK expects from a provider, so its
 * retry loop, `onError` and `useChat` error states behave as with any other provider:
 *
 * - an abort by the caller → the signal's abort reason (an `AbortError`), which `streamText`
 *   reports as an `abort` part instead of an error;
 * - `ApiCallError` → `APICallError` with the status code, response body, `isRetryable`, and
 *   `retry-after-ms` in `responseHeaders` so the AI SDK's own retry waits as the upstream asked;
 * - `NoHealthyTargetError` and `TimeoutError` → retryable `APICallError` (every attempt is in
 *   `data`); `ValidationError` → `InvalidArgumentError`;
 *   `ConfigError` → `LoadSettingError`; any other Ballast error → `AISDKError` named `AI_BallastError`.
 *
 * The Ballast error is always the `cause`, and `data` holds its JSON view (`code`, `isRetryable`,
 * `retryAfterMs`, …), so nothing is lost on the way.
 *
 * @example
 * ```ts
 * try { await balancer.chat(request); } catch (error) { throw aiSdkErrorFromBallast(error, { provider, modelId, request }); }
 * ```
 */
export function aiSdkErrorFromBallast(error: unknown, context: FailedCallContext): unknown {
  if (AbortedError.isInstance(error) && context.abortSignal?.aborted)
    return abortReasonOf(context.abortSignal);
  if (!BallastError.isInstance(error)) return error;
  const url = `ballast:${context.provider}/${context.modelId}`;
  const data = error.toJSON();

  if (ApiCallError.isInstance(error)) {
    return new APICallError({
      message: error.message,
      url: error.url ?? url,
      requestBodyValues: context.request,
      ...definedOnly({
        statusCode: error.statusCode,
        responseHeaders: responseHeadersOf(error),
        responseBody: error.responseBody,
      }),
      isRetryable: error.isRetryable,
      cause: error,
      data,
    });
  }
  if (NoHealthyTargetError.isInstance(error) || TimeoutError.isInstance(error) || error.isRetryable) {
    return new APICallError({
      message: error.message,
      url,
      requestBodyValues: context.request,
      ...definedOnly({ responseHeaders: responseHeadersOf(error) }),
      isRetryable: error.isRetryable,
      cause: error,
      data,
    });
  }
  if (ValidationError.isInstance(error)) {
    return new InvalidArgumentError({
      argument: error.issues[0]?.path ?? 'request',
      message: error.message,
      cause: error,
    });
  }
  if (ConfigError.isInstance(error)) {
    return Object.assign(new LoadSettingError({ message: error.message }), { cause: error });
  }
  return new AISDKError({ name: 'AI_BallastError', message: error.message, cause: error });
}

/** The entries whose value is defined (the AI SDK's option types are exact). */
function definedOnly<T extends Record<string, unknown>>(
  entries: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** Headers the AI SDK's retry reads (`retry-after-ms`), plus the upstream's request id. */
function responseHeadersOf(error: BallastError): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  if (error.retryAfterMs !== undefined) headers['retry-after-ms'] = String(error.retryAfterMs);
  if (ApiCallError.isInstance(error) && error.requestId !== undefined)
    headers['x-request-id'] = error.requestId;
  return Object.keys(headers).length > 0 ? headers : undefined;
}

/**
 * The error an aborted `fetch` would throw: the signal's reason when it is an abort-type error,
 * else a `DOMException` named `AbortError` (what the AI SDK's `isAbortError` recognises).
 */
export function abortReasonOf(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && (reason.name === 'AbortError' || reason.name === 'TimeoutError'))
    return reason;
  return new DOMException('The operation was aborted', 'AbortError');
}
