import { BallastError, hasMarker } from './ballast-error';

const marker = Symbol.for('ballast.error.collector');

/** Infrastructure systems Ballast collects from. */
export type CollectorSource = 'proxmox' | 'kubernetes' | 'avi';

/**
 * Collecting from an infrastructure API failed. Names the endpoint, never the credentials.
 *
 * @example
 * ```ts
 * if (CollectorError.isInstance(error)) console.error(`${error.source} ${error.endpoint}: ${error.message}`);
 * ```
 */
export class CollectorError extends BallastError {
  private readonly [marker] = true;
  readonly source: CollectorSource;
  readonly endpoint: string | undefined;
  readonly statusCode: number | undefined;

  constructor(options: {
    message: string;
    source: CollectorSource;
    endpoint?: string | undefined;
    statusCode?: number | undefined;
    isRetryable?: boolean;
    retryAfterMs?: number | undefined;
    cause?: unknown;
  }) {
    super({ ...options, code: 'collector_failed' });
    this.name = 'CollectorError';
    this.source = options.source;
    this.endpoint = options.endpoint;
    this.statusCode = options.statusCode;
  }

  static override isInstance(error: unknown): error is CollectorError {
    return hasMarker(error, marker);
  }
}
