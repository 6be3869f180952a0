import type { z } from 'zod';
import { BallastError, hasMarker } from './ballast-error';

const marker = Symbol.for('ballast.error.config');

/**
 * Configuration given to a Ballast factory or read from the environment is invalid.
 * Thrown at start-up, never mid-request. `issues` lists every problem, not just the first.
 *
 * @example
 * ```ts
 * try { createOpenAI({ baseURL: 'not a url' }); }
 * catch (error) { if (ConfigError.isInstance(error)) console.error(error.issues); }
 * ```
 */
export class ConfigError extends BallastError {
  private readonly [marker] = true;
  /** Each problem with the path of the offending key. Values of secret keys are never included. */
  readonly issues: ReadonlyArray<{ path: string; message: string }>;

  constructor(options: {
    message: string;
    issues?: ReadonlyArray<{ path: string; message: string }>;
    cause?: unknown;
  }) {
    super({ message: options.message, code: 'config_invalid', cause: options.cause });
    this.name = 'ConfigError';
    this.issues = options.issues ?? [];
  }

  /** Builds a ConfigError from zod issues, naming each path. */
  static fromZod(subject: string, error: z.ZodError): ConfigError {
    const issues = error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || '(root)',
      message: issue.message,
    }));
    const details = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    return new ConfigError({ message: `Invalid ${subject}: ${details}`, issues });
  }

  static override isInstance(error: unknown): error is ConfigError {
    return hasMarker(error, marker);
  }
}
