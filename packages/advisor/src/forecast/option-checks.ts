import { ConfigError } from '@ballast/core';

/**
 * Most steps ahead any forecaster is asked for: one day of one-minute samples, or six hours of
 * Kubernetes' 15-second ones. The ensemble keeps every member's forecast from the last `h + 1`
 * origins for every horizon, so its memory grows with the square of the horizon (about 0.5 GB
 * here); a horizon of 1e9 would otherwise allocate terabytes or loop for hours.
 *
 * @example
 * ```ts
 * const horizonSteps = Math.min(FORECAST_MAX_HORIZON_STEPS, Math.round(21_600 / stepSeconds));
 * ```
 */
export const FORECAST_MAX_HORIZON_STEPS = 1440;

/**
 * Argument checks shared by the forecasting entry points: each throws the `ConfigError` of the
 * first option that breaks its rule, naming the option (`what`) and the value got. JavaScript
 * callers can pass anything, so types are checked too (`'0.9'` is not a level).
 *
 * @internal
 */
export class OptionChecks {
  constructor(private readonly what: string) {}

  fail(path: string, rule: string, value: unknown): never {
    throw new ConfigError({
      message: `Invalid ${this.what} options: ${path} ${rule}, got ${describe(value)}`,
      issues: [{ path, message: rule }],
    });
  }

  /** An options object (not `null`, not an array). */
  object(value: unknown, path = 'options'): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(path, 'must be an object', value);
  }

  /** `undefined`, or an integer ≥ `min` (and ≤ `max`). */
  integer(value: unknown, path: string, min = 1, max = Number.MAX_SAFE_INTEGER): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(
        path,
        max === Number.MAX_SAFE_INTEGER
          ? `must be an integer ≥ ${min}`
          : `must be an integer in [${min}, ${max}]`,
        value,
      );
    }
  }

  /** `undefined`, or the steps-ahead of a forecast: an integer in [1, FORECAST_MAX_HORIZON_STEPS]. */
  horizon(value: unknown, path: string): void {
    this.integer(value, path, 1, FORECAST_MAX_HORIZON_STEPS);
  }

  /** `undefined`, or a finite number > 0. */
  positive(value: unknown, path: string): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      this.fail(path, 'must be a finite number > 0', value);
  }

  /** `undefined`, or a finite number ≥ 0. */
  nonNegative(value: unknown, path: string): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      this.fail(path, 'must be a finite number ≥ 0', value);
  }

  /** `undefined`, or a number in the open interval (0, 1). */
  probability(value: unknown, path: string): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !(value > 0 && value < 1))
      this.fail(path, 'must be a number in (0, 1)', value);
  }

  /** `undefined`, or a number in the closed interval [0, 1]. */
  unitInterval(value: unknown, path: string): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !(value >= 0 && value <= 1))
      this.fail(path, 'must be a number in [0, 1]', value);
  }

  /** `undefined`, or one of `allowed`. */
  oneOf(value: unknown, path: string, allowed: readonly unknown[]): void {
    if (value === undefined) return;
    if (!allowed.includes(value))
      this.fail(path, `must be one of ${allowed.map((item) => String(item)).join(', ')}`, value);
  }

  /** `undefined`, or a boolean. */
  boolean(value: unknown, path: string): void {
    if (value === undefined) return;
    if (typeof value !== 'boolean') this.fail(path, 'must be a boolean', value);
  }

  /** `undefined`, or an array. */
  array(value: unknown, path: string): void {
    if (value === undefined) return;
    if (!Array.isArray(value)) this.fail(path, 'must be an array', value);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
