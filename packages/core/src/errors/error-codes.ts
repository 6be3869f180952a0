/**
 * Reasons an upstream API call can fail, normalized across providers.
 *
 * - `rate_limited`, `overloaded`, `server_error`, `request_timeout`, `conflict`, `network_error`,
 *   `invalid_response` and `model_tool_error` are retryable.
 * - `authentication_failed`, `permission_denied`, `model_not_found`, `not_found` and
 *   `quota_exhausted` mean this target cannot serve the call at all: fail over, do not retry it.
 * - `bad_request`, `context_length_exceeded`, `request_too_large` and `content_filtered` are
 *   problems with the request itself.
 */
export type ApiCallErrorCode =
  | 'rate_limited'
  | 'quota_exhausted'
  | 'overloaded'
  | 'server_error'
  | 'request_timeout'
  | 'conflict'
  | 'network_error'
  | 'invalid_response'
  | 'model_tool_error'
  | 'authentication_failed'
  | 'permission_denied'
  | 'model_not_found'
  | 'not_found'
  | 'bad_request'
  | 'context_length_exceeded'
  | 'request_too_large'
  | 'content_filtered'
  | 'api_error';

/** Every `code` a {@link BallastError} can carry. */
export type BallastErrorCode =
  | ApiCallErrorCode
  | 'config_invalid'
  | 'validation_failed'
  | 'no_healthy_target'
  | 'no_object_generated'
  | 'collector_failed'
  | 'store_failed'
  | 'timeout'
  | 'aborted'
  /** The shared state (Redis) did not answer in time or is unreachable; callers fall back to local state. */
  | 'shared_state_unavailable';
