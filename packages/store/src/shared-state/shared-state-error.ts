import { BallastError } from '@ballast/core';

const marker = Symbol.for('ballast.error.shared-state-unavailable');

/**
 * The shared state did not answer within its command timeout, or is not connected. Callers
 * (the balancer) treat it as "no shared answer" and fall back to their local state; it is never
 * the reason a model call fails. The message names the operation, never the connection URL
 * (which may hold a password).
 *
 * @example
 * ```ts
 * try { await state.acquireSlot('t', 8, 15_000); }
 * catch (error) { if (SharedStateUnavailableError.isInstance(error)) useLocalLimiter(); }
 * ```
 */
export class SharedStateUnavailableError extends BallastError {
  private readonly [marker] = true;
  /** The shared-state operation that failed (`acquireSlot`, `setBreaker`, …). */
  readonly operation: string;

  constructor(options: { operation: string; reason: string; cause?: unknown }) {
    super({
      message: `Shared state unavailable during ${options.operation}: ${options.reason}`,
      code: 'shared_state_unavailable',
      isRetryable: true,
      cause: options.cause,
    });
    this.name = 'SharedStateUnavailableError';
    this.operation = options.operation;
  }

  /** True for this error, even one created by another copy of this package. */
  static override isInstance(error: unknown): error is SharedStateUnavailableError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
