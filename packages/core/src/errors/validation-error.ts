import { BallastError, hasMarker } from './ballast-error';

const marker = Symbol.for('ballast.error.validation');

/** One reason a value failed validation. */
export interface ValidationIssue {
  path: string;
  message: string;
  code?: string;
}

/**
 * A value (a request, a model's answer, a recommendation) did not pass validation.
 *
 * @example
 * ```ts
 * if (ValidationError.isInstance(error)) for (const issue of error.issues) console.log(issue.path, issue.message);
 * ```
 */
export class ValidationError extends BallastError {
  private readonly [marker] = true;
  readonly issues: readonly ValidationIssue[];
  /** The value that failed, when it is safe to keep. */
  readonly value: unknown;

  constructor(options: {
    message: string;
    issues?: readonly ValidationIssue[];
    value?: unknown;
    cause?: unknown;
  }) {
    super({ message: options.message, code: 'validation_failed', cause: options.cause });
    this.name = 'ValidationError';
    this.issues = options.issues ?? [];
    this.value = options.value;
  }

  static override isInstance(error: unknown): error is ValidationError {
    return hasMarker(error, marker);
  }
}
