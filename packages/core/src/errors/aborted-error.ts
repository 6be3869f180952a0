import { BallastError, hasMarker } from './ballast-error';

const marker = Symbol.for('ballast.error.aborted');

/**
 * The caller aborted the call through its `AbortSignal`. Never retried.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const pending = model.chat(request, { signal: controller.signal });
 * controller.abort(); // pending rejects with AbortedError
 * ```
 */
export class AbortedError extends BallastError {
  private readonly [marker] = true;

  constructor(options: { message?: string; cause?: unknown } = {}) {
    super({ message: options.message ?? 'The call was aborted', code: 'aborted', cause: options.cause });
    this.name = 'AbortedError';
  }

  static override isInstance(error: unknown): error is AbortedError {
    return hasMarker(error, marker);
  }
}
