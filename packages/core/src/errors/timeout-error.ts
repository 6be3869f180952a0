import { BallastError, hasMarker } from './ballast-error';

const marker = Symbol.for('ballast.error.timeout');

/**
 * A call did not finish within its `timeoutMs`. Retryable: the next attempt may be faster.
 *
 * @example
 * ```ts
 * await model.chat(request, { timeoutMs: 5_000 }).catch((e) => TimeoutError.isInstance(e) && fallback());
 * ```
 */
export class TimeoutError extends BallastError {
  private readonly [marker] = true;
  readonly timeoutMs: number;

  constructor(options: { message?: string; timeoutMs: number; cause?: unknown }) {
    super({
      message: options.message ?? `Timed out after ${options.timeoutMs} ms`,
      code: 'timeout',
      isRetryable: true,
      cause: options.cause,
    });
    this.name = 'TimeoutError';
    this.timeoutMs = options.timeoutMs;
  }

  static override isInstance(error: unknown): error is TimeoutError {
    return hasMarker(error, marker);
  }
}
