import { BallastError, hasMarker } from './ballast-error';
import type { ApiCallErrorCode } from './error-codes';

const marker = Symbol.for('ballast.error.api-call');

/** Construction options of {@link ApiCallError}. */
export interface ApiCallErrorOptions {
  message: string;
  code: ApiCallErrorCode;
  provider: string;
  modelId?: string | undefined;
  statusCode?: number | undefined;
  url?: string | undefined;
  /** The response body as text, truncated and with secrets removed. */
  responseBody?: string | undefined;
  /** The provider's request id, when it sent one (useful in support tickets). */
  requestId?: string | undefined;
  isRetryable: boolean;
  /** True when this target cannot serve any call (bad key, unknown model): fail over instead. */
  isTargetUnavailable?: boolean;
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/**
 * A call to an upstream API failed: an HTTP error status, a network failure or a response that
 * could not be understood.
 *
 * @example
 * ```ts
 * if (ApiCallError.isInstance(error) && error.code === 'rate_limited') {
 *   console.log(`${error.provider} asked us to wait ${error.retryAfterMs} ms`);
 * }
 * ```
 */
export class ApiCallError extends BallastError {
  private readonly [marker] = true;
  declare readonly code: ApiCallErrorCode;
  readonly provider: string;
  readonly modelId: string | undefined;
  readonly statusCode: number | undefined;
  readonly url: string | undefined;
  readonly responseBody: string | undefined;
  readonly requestId: string | undefined;
  readonly isTargetUnavailable: boolean;

  constructor(options: ApiCallErrorOptions) {
    super(options);
    this.name = 'ApiCallError';
    this.provider = options.provider;
    this.modelId = options.modelId;
    this.statusCode = options.statusCode;
    this.url = options.url;
    this.responseBody = options.responseBody;
    this.requestId = options.requestId;
    this.isTargetUnavailable = options.isTargetUnavailable ?? false;
  }

  static override isInstance(error: unknown): error is ApiCallError {
    return hasMarker(error, marker);
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      provider: this.provider,
      modelId: this.modelId,
      statusCode: this.statusCode,
      isTargetUnavailable: this.isTargetUnavailable,
      ...(this.requestId === undefined ? {} : { requestId: this.requestId }),
    };
  }
}
