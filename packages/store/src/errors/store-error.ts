import { BallastError, redactSecrets } from '@ballast/core';

const marker = Symbol.for('ballast.error.store');

/** Which storage engine an error came from. */
export type StoreBackend = 'memory' | 'sqlite' | 'postgres';

/**
 * A durable store failed: the database could not be opened or migrated, a statement failed, or the
 * input was refused (`reason: 'invalid_input'`). Messages never carry connection strings or other
 * secrets: they are redacted before the error is built.
 *
 * @example
 * ```ts
 * try { await openSqliteDatabase({ path: '/read-only/ballast.db' }); }
 * catch (error) { if (StoreError.isInstance(error)) console.error(error.backend, error.reason); }
 * ```
 */
export class StoreError extends BallastError {
  private readonly [marker] = true;
  /** The engine that failed. */
  readonly backend: StoreBackend;
  /** What went wrong, for branching. */
  readonly reason: 'open_failed' | 'migration_failed' | 'query_failed' | 'invalid_input' | 'closed';

  constructor(options: {
    message: string;
    backend: StoreBackend;
    reason: StoreError['reason'];
    isRetryable?: boolean;
    cause?: unknown;
  }) {
    super({
      message: redactSecrets(options.message),
      code: 'store_failed',
      isRetryable: options.isRetryable ?? false,
      cause: options.cause,
    });
    this.name = 'StoreError';
    this.backend = options.backend;
    this.reason = options.reason;
  }

  /** True for any StoreError, even one created by another copy of this package. */
  static override isInstance(error: unknown): error is StoreError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
