import type { BallastErrorCode } from './error-codes';

const marker = Symbol.for('ballast.error');

/** Options shared by every Ballast error. */
export interface BallastErrorOptions {
  /** Human-readable explanation. Never contains secrets. */
  message: string;
  /** Machine-readable reason. */
  code: BallastErrorCode;
  /** Whether repeating the same call against the same target may succeed. */
  isRetryable?: boolean;
  /** How long the server asked callers to wait before retrying, in milliseconds. */
  retryAfterMs?: number | undefined;
  /** The underlying error, kept for debugging. */
  cause?: unknown;
}

/**
 * The base class of every error Ballast throws.
 *
 * Each package boundary converts foreign throws (SDK errors, `fetch` failures, zod issues) into a
 * subclass, so callers only ever branch on `code` and `isRetryable`.
 *
 * `isInstance` checks a `Symbol.for` marker instead of the prototype chain, so it still works when
 * two copies of `@ballast/core` end up in one application.
 *
 * @example
 * ```ts
 * try {
 *   await model.chat({ messages: [{ role: 'user', content: 'hi' }] });
 * } catch (error) {
 *   if (BallastError.isInstance(error) && error.isRetryable) scheduleRetry(error.retryAfterMs);
 * }
 * ```
 */
export class BallastError extends Error {
  private readonly [marker] = true;
  readonly code: BallastErrorCode;
  readonly isRetryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(options: BallastErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BallastError';
    this.code = options.code;
    this.isRetryable = options.isRetryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** True for any Ballast error, even one created by another copy of this package. */
  static isInstance(error: unknown): error is BallastError {
    return hasMarker(error, marker);
  }

  /** A plain, JSON-safe view of the error (for logs and HTTP responses). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      isRetryable: this.isRetryable,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }
}

/** @internal Marker check shared by every error class. */
export function hasMarker(value: unknown, symbol: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[symbol] === true;
}
