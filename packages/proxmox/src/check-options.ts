import { ConfigError } from '@ballast/core';

/** @internal One problem with an option: its path and what is wrong. */
export type OptionIssue = { path: string; message: string };

/** @internal Throws one `ConfigError` listing every issue, or returns when there is none. */
export function refuseOptions(subject: string, issues: readonly OptionIssue[]): void {
  if (issues.length === 0) return;
  const shown = issues.slice(0, 20);
  throw new ConfigError({
    message: `Invalid ${subject}: ${shown.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    issues: shown,
  });
}

/** @internal An optional whole number in `[min, max]` (`NaN`, strings and fractions refused). */
export function integerIssue(
  path: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): OptionIssue[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    return [{ path, message: `must be a whole number from ${min} to ${max}, got ${describe(value)}` }];
  return [];
}

/** @internal An optional finite number `> 0` (or `≥ 0` with `allowZero`). */
export function positiveIssue(path: string, value: unknown, allowZero = false): OptionIssue[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0))
    return [{ path, message: `must be a finite number ${allowZero ? '≥' : '>'} 0, got ${describe(value)}` }];
  return [];
}

/** @internal An optional function. */
export function functionIssue(path: string, value: unknown): OptionIssue[] {
  return value === undefined || typeof value === 'function' ? [] : [{ path, message: 'must be a function' }];
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `a string (${JSON.stringify(value.slice(0, 20))})` : String(value);
}
