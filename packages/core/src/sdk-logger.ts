import { z } from 'zod';

/**
 * Where a vendor SDK under an adapter writes its own diagnostics (the `openai` and
 * `@anthropic-ai/sdk` clients' `logger` option): for example "Could not parse message into JSON"
 * just before Ballast turns that failure into an `invalid_response` error. The console fits.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const logger: SdkLogger = { error: (m) => lines.push(m), warn: (m) => lines.push(m), info() {}, debug() {} };
 * createOpenAI({ logger });
 * ```
 */
export interface SdkLogger {
  error(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  debug(message: string, ...rest: unknown[]): void;
}

/** The most verbose SDK messages logged; `off` logs none. */
export type SdkLogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

/** Validation of the `logger` and `logLevel` settings shared by the SDK-based adapters. */
export const sdkLoggingSettingsSchema = {
  logLevel: z.enum(['off', 'error', 'warn', 'info', 'debug']).optional(),
  logger: z
    .custom<SdkLogger>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        ['error', 'warn', 'info', 'debug'].every(
          (level) => typeof (value as Record<string, unknown>)[level] === 'function',
        ),
      'must have error, warn, info and debug functions',
    )
    .optional(),
};
