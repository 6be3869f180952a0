import {
  ApiCallError,
  BallastError,
  ConfigError,
  NoHealthyTargetError,
  redactSecrets,
  ValidationError,
} from '@ballast/core';

/** Machine-readable error codes of the HTTP API (`{ error: { code, message } }`). */
export type HttpErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'validation_failed'
  | 'unsupported_parameter'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'model_not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'upstream_error'
  | 'upstream_rate_limited'
  | 'upstream_timeout'
  | 'no_healthy_upstream'
  | 'unavailable'
  | 'shutting_down'
  | 'not_implemented'
  | 'internal_error';

/** One problem of a rejected input, by path (never the offending value: it may be a secret). */
export interface HttpErrorIssue {
  path: string;
  message: string;
}

/** The JSON body of every error response. */
export interface HttpErrorBody {
  error: { code: HttpErrorCode | (string & {}); message: string; issues?: HttpErrorIssue[] };
}

/**
 * An error with an HTTP status, safe to show to the client: its message never holds a stack,
 * a secret or an upstream body.
 *
 * @example
 * ```ts
 * throw new HttpError(404, 'model_not_found', 'The model "gpt-9" does not exist');
 * ```
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: HttpErrorCode;
  readonly headers: Record<string, string>;
  readonly issues: HttpErrorIssue[] | undefined;

  constructor(
    status: number,
    code: HttpErrorCode,
    message: string,
    options: { headers?: Record<string, string>; issues?: HttpErrorIssue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
    this.issues = options.issues;
  }
}

/**
 * Builds a JSON error response `{ error: { code, message } }`.
 *
 * @example
 * ```ts
 * return errorResponse(429, 'rate_limited', 'Too many requests', { 'retry-after': '3' });
 * ```
 */
export function errorResponse(
  status: number,
  code: HttpErrorCode | (string & {}),
  message: string,
  headers: Record<string, string> = {},
  issues?: HttpErrorIssue[],
): Response {
  const body: HttpErrorBody = { error: { code, message, ...(issues?.length ? { issues } : {}) } };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

const upstreamTimeoutCodes = new Set(['timeout', 'request_timeout']);
const upstreamRateCodes = new Set(['rate_limited', 'quota_exhausted', 'overloaded']);
const routerOutcomes = new Set(['circuit_open', 'skipped', 'no_candidates', 'queue_full', 'queue_timeout']);

function retryAfterHeader(ms: number | undefined): Record<string, string> {
  return ms === undefined || !Number.isFinite(ms) || ms <= 0
    ? {}
    : { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) };
}

/**
 * Converts anything thrown by a handler into an {@link HttpError}: Ballast validation and config
 * errors become 400, upstream failures 502 (429 when every upstream was rate limited, 504 on
 * timeouts), no healthy target 503, anything else 500 with a generic message.
 * `knownSecrets` are scrubbed from every message.
 *
 * @example
 * ```ts
 * const http = toHttpError(error, [process.env.OPENAI_API_KEY]);
 * return errorResponse(http.status, http.code, http.message, http.headers);
 * ```
 */
export function toHttpError(error: unknown, knownSecrets: ReadonlyArray<string | undefined> = []): HttpError {
  if (error instanceof HttpError) return error;
  const clean = (text: string) => redactSecrets(text, knownSecrets);
  if (ValidationError.isInstance(error) || ConfigError.isInstance(error)) {
    const issues = error.issues.map((issue) => ({
      path: String(issue.path),
      message: clean(issue.message),
    }));
    return new HttpError(400, 'validation_failed', clean(error.message), { issues });
  }
  if (NoHealthyTargetError.isInstance(error)) {
    const outcomes = error.attempts.map((attempt) => attempt.outcome);
    const upstream = outcomes.filter((outcome) => !routerOutcomes.has(outcome));
    const summary = [...new Set(outcomes)].join(', ') || 'no target';
    const headers = retryAfterHeader(error.retryAfterMs);
    if (upstream.length === 0)
      return new HttpError(503, 'no_healthy_upstream', `No healthy upstream provider (${summary})`, {
        headers: Object.keys(headers).length ? headers : { 'retry-after': '1' },
      });
    if (upstream.every((outcome) => upstreamTimeoutCodes.has(outcome)))
      return new HttpError(504, 'upstream_timeout', `Every upstream provider timed out (${summary})`);
    if (upstream.every((outcome) => upstreamRateCodes.has(outcome)))
      return new HttpError(429, 'upstream_rate_limited', `Every upstream provider is rate limited`, {
        headers: Object.keys(headers).length ? headers : { 'retry-after': '1' },
      });
    return new HttpError(502, 'upstream_error', `Every upstream provider failed (${summary})`);
  }
  if (ApiCallError.isInstance(error)) {
    switch (error.code) {
      case 'bad_request':
      case 'context_length_exceeded':
      case 'content_filtered':
      case 'model_tool_error':
        return new HttpError(
          400,
          'bad_request',
          `The upstream provider rejected the request (${error.code})`,
        );
      case 'request_too_large':
        return new HttpError(413, 'payload_too_large', 'The request is too large for the upstream provider');
      case 'rate_limited':
      case 'quota_exhausted':
      case 'overloaded':
        return new HttpError(429, 'upstream_rate_limited', `The upstream provider is busy (${error.code})`, {
          headers: retryAfterHeader(error.retryAfterMs ?? 1000),
        });
      case 'request_timeout':
        return new HttpError(504, 'upstream_timeout', 'The upstream provider timed out');
      default:
        return new HttpError(502, 'upstream_error', `The upstream provider failed (${error.code})`);
    }
  }
  if (BallastError.isInstance(error)) {
    if (error.code === 'timeout') return new HttpError(504, 'upstream_timeout', 'The call timed out');
    if (error.code === 'aborted') return new HttpError(499, 'bad_request', 'The request was cancelled');
    return new HttpError(502, 'upstream_error', `The call failed (${error.code})`);
  }
  return new HttpError(500, 'internal_error', 'Internal server error');
}

/** Renders any thrown value as a JSON error response (see {@link toHttpError}). */
export function responseOfError(
  error: unknown,
  knownSecrets: ReadonlyArray<string | undefined> = [],
): Response {
  const http = toHttpError(error, knownSecrets);
  return errorResponse(http.status, http.code, http.message, http.headers, http.issues);
}
