import { BallastError, hasMarker } from './ballast-error';

const marker = Symbol.for('ballast.error.no-healthy-target');

/** One attempt a router made before giving up. */
export interface TargetAttempt {
  /** Which target was tried (for example `openai:gpt-4o-mini`). */
  target: string;
  /** Error code of the failure, or a router reason such as `circuit_open` or `skipped`. */
  outcome: string;
  message: string;
  durationMs: number;
}

/**
 * No target could serve the call. Always lists every attempt and why it failed, so the caller
 * can see whether it was rate limits, bad keys or open circuits.
 *
 * @example
 * ```ts
 * if (NoHealthyTargetError.isInstance(error)) console.table(error.attempts);
 * ```
 */
export class NoHealthyTargetError extends BallastError {
  private readonly [marker] = true;
  readonly attempts: readonly TargetAttempt[];

  constructor(options: {
    message: string;
    attempts: readonly TargetAttempt[];
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    super({ ...options, code: 'no_healthy_target', isRetryable: true });
    this.name = 'NoHealthyTargetError';
    this.attempts = options.attempts;
  }

  static override isInstance(error: unknown): error is NoHealthyTargetError {
    return hasMarker(error, marker);
  }
}
