import { BallastError, hasMarker } from './ballast-error';
import type { ValidationIssue } from './validation-error';

const marker = Symbol.for('ballast.error.no-object-generated');

/** What one `generateObject` attempt produced and why it was refused. */
export interface ObjectAttempt {
  /** The model's raw text (or tool arguments), as received. */
  text: string;
  issues: readonly ValidationIssue[];
}

/**
 * `generateObject` could not get a valid object from the model within its repair budget.
 * Ballast never makes an object up: the caller gets this error and every attempt instead.
 *
 * @example
 * ```ts
 * if (NoObjectGeneratedError.isInstance(error)) console.log(error.attempts.at(-1)?.issues);
 * ```
 */
export class NoObjectGeneratedError extends BallastError {
  private readonly [marker] = true;
  readonly attempts: readonly ObjectAttempt[];

  constructor(options: { message: string; attempts: readonly ObjectAttempt[]; cause?: unknown }) {
    super({ ...options, code: 'no_object_generated' });
    this.name = 'NoObjectGeneratedError';
    this.attempts = options.attempts;
  }

  static override isInstance(error: unknown): error is NoObjectGeneratedError {
    return hasMarker(error, marker);
  }
}
