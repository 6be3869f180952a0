import { ConfigError } from '@ballast/core';

/**
 * Longest `leaseMs` / rate `windowMs` a shared state accepts: 2^31 − 1 ms (24.8 days). Redis keeps
 * expiries as integers (a fractional or astronomically long one failed there as "unavailable"
 * while memory took it), so both backends refuse the same numbers before anything is stored.
 */
export const SHARED_STATE_MAX_DURATION_MS = 2_147_483_647;

type Issue = { path: string; message: string };

/** A limit: a number ≥ 0 (0 refuses everything; a fractional one is a ceiling, `count < limit`). */
export function limitProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || Number.isNaN(value)) return 'must be a number';
  if (!Number.isFinite(value)) return 'must be finite (use Number.MAX_SAFE_INTEGER for "no limit")';
  return value < 0 ? 'must be at least 0' : undefined;
}

/** A lease or rate window: a whole number of ms in 1 … {@link SHARED_STATE_MAX_DURATION_MS}. */
export function durationProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || Number.isNaN(value)) return 'must be a number';
  if (!Number.isInteger(value) || value < 1 || value > SHARED_STATE_MAX_DURATION_MS)
    return `must be a whole number of ms from 1 to ${SHARED_STATE_MAX_DURATION_MS}`;
  return undefined;
}

/** A window to read back: any positive number of ms (it is capped at the retention anyway). */
function readSpanProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || Number.isNaN(value)) return 'must be a number';
  return value > 0 ? undefined : 'must be greater than 0';
}

function scopeProblem(value: unknown): string | undefined {
  return typeof value === 'string' ? undefined : 'must be a string';
}

function refuse(operation: string, issues: Issue[]): void {
  if (issues.length === 0) return;
  const details = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  throw new ConfigError({ message: `Invalid ${operation} arguments: ${details}`, issues });
}

function collect(checks: Array<[path: string, problem: string | undefined]>): Issue[] {
  return checks.flatMap(([path, message]) => (message === undefined ? [] : [{ path, message }]));
}

/**
 * Checks the arguments of a shared-state call the same way on every backend: a `NaN`, `±Infinity`,
 * negative, fractional duration, string or missing number is a {@link ConfigError} naming the
 * argument (`issues[].path`), thrown before anything is counted, taken or written — never a
 * `SharedStateUnavailableError` (Redis) or a silent refusal / acceptance (memory).
 */
export const checkSharedStateInput = {
  acquireSlot(scope: unknown, limit: unknown, leaseMs: unknown): void {
    refuse(
      'acquireSlot',
      collect([
        ['scope', scopeProblem(scope)],
        ['limit', limitProblem(limit)],
        ['leaseMs', durationProblem(leaseMs)],
      ]),
    );
  },
  consumeRate(scope: unknown, limit: unknown, windowMs: unknown): void {
    refuse(
      'consumeRate',
      collect([
        ['scope', scopeProblem(scope)],
        ['limit', limitProblem(limit)],
        ['windowMs', durationProblem(windowMs)],
      ]),
    );
  },
  readWindow(scope: unknown, windowMs: unknown): void {
    refuse(
      'readWindow',
      collect([
        ['scope', scopeProblem(scope)],
        ['windowMs', readSpanProblem(windowMs)],
      ]),
    );
  },
  recordOutcomes(scope: unknown, samples: unknown): void {
    const checks: Array<[string, string | undefined]> = [['scope', scopeProblem(scope)]];
    if (!Array.isArray(samples)) checks.push(['samples', 'must be an array']);
    else
      samples.forEach((sample: unknown, index) => {
        if (typeof sample !== 'object' || sample === null) {
          checks.push([`samples.${index}`, 'must be an object']);
          return;
        }
        const { success, at, latencyMs } = sample as Record<string, unknown>;
        if (typeof success !== 'boolean') checks.push([`samples.${index}.success`, 'must be a boolean']);
        if (typeof at !== 'number' || !Number.isFinite(at))
          checks.push([`samples.${index}.at`, 'must be a finite epoch ms']);
        if (
          latencyMs !== undefined &&
          (typeof latencyMs !== 'number' || !Number.isFinite(latencyMs) || latencyMs < 0)
        )
          checks.push([`samples.${index}.latencyMs`, 'must be a finite number ≥ 0 when given']);
      });
    refuse('recordOutcomes', collect(checks).slice(0, 20));
  },
};
