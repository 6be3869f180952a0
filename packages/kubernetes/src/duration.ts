import { ValidationError } from '@ballast/core';

const unitSeconds: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/**
 * Longest duration text parsed (`window` of a metrics sample is e.g. `15.012s`). Longer text from
 * a broken or hostile metrics server is refused before any matching.
 */
export const MAX_DURATION_LENGTH = 64;

const durationPattern = /^(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h)/;

/**
 * Parses a Go `time.Duration` string, as metrics.k8s.io sends in `window` (`15.012s`, `1m0s`,
 * `500ms`), into seconds.
 *
 * @throws ValidationError on anything else, and on text over {@link MAX_DURATION_LENGTH} characters.
 * @example
 * ```ts
 * parseDurationSeconds('1m30.5s'); // 90.5
 * ```
 */
export function parseDurationSeconds(text: string): number {
  if (typeof text !== 'string' || text.length > MAX_DURATION_LENGTH) throw invalid(String(text));
  if (text === '0') return 0;
  let rest = text;
  let total = 0;
  if (rest.length === 0) throw invalid(text);
  while (rest.length > 0) {
    const match = durationPattern.exec(rest);
    if (!match) throw invalid(text);
    const part = match[0];
    const unit = /(?:ns|us|µs|ms|s|m|h)$/.exec(part)?.[0] ?? 's';
    total += Number(part.slice(0, -unit.length)) * (unitSeconds[unit] ?? 1);
    rest = rest.slice(part.length);
  }
  return total;
}

function invalid(text: string): ValidationError {
  return new ValidationError({
    message: `Duration ${JSON.stringify(text.slice(0, 40))} is not a Go duration (expected e.g. 15s, 1m0s)`,
    issues: [{ path: 'window', message: 'invalid duration', code: 'invalid_duration' }],
  });
}
