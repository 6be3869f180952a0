import { MAX_RETRY_AFTER_HEADER_LENGTH } from './input-limits';

/** Something with HTTP headers: a `Headers` object or a plain record. */
export type HeadersLike = Headers | Record<string, string | string[] | undefined> | undefined | null;

/** Reads one header case-insensitively from either header shape. */
export function readHeader(headers: HeadersLike, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === lower) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * How long the server asked us to wait, in milliseconds, from `retry-after-ms`, then
 * `retry-after` (seconds or an HTTP date). Returns `undefined` when absent, unparseable or longer
 * than {@link MAX_RETRY_AFTER_HEADER_LENGTH} characters (an upstream controls the header).
 *
 * @example
 * ```ts
 * parseRetryAfterMs(new Headers({ 'retry-after': '2' })); // 2000
 * ```
 */
export function parseRetryAfterMs(headers: HeadersLike, now: number = Date.now()): number | undefined {
  const milliseconds = readHeader(headers, 'retry-after-ms');
  if (milliseconds !== undefined && milliseconds.length <= MAX_RETRY_AFTER_HEADER_LENGTH) {
    const value = Number(milliseconds);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = readHeader(headers, 'retry-after');
  if (retryAfter === undefined || retryAfter.length > MAX_RETRY_AFTER_HEADER_LENGTH) return undefined;
  if (retryAfter.trim() === '') return undefined;
  const seconds = Number(retryAfter);
  // `1e306` seconds is finite, its milliseconds are not: treat both as unparseable.
  if (Number.isFinite(seconds))
    return seconds >= 0 && Number.isFinite(seconds * 1000) ? seconds * 1000 : undefined;
  const date = Date.parse(retryAfter);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
