/**
 * True for the ways a connection failure surfaces from Node's fetch (undici) and the SDKs built on
 * it: `fetch failed` (refused, DNS), `terminated` (a body cut mid-way) or a socket error code on
 * the error or its `cause`. Adapters map these to a retryable `network_error`.
 *
 * @example
 * ```ts
 * if (isNetworkFailure(error)) return apiCallErrorFromResponse({ provider, message: describeNetworkFailure(error) });
 * ```
 */
export function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  return (
    error.message === 'terminated' ||
    error.message === 'fetch failed' ||
    (typeof code === 'string' &&
      /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|UND_ERR)/.test(code))
  );
}

/**
 * The error's message with its cause's code or message, e.g. `fetch failed (ECONNREFUSED)`:
 * undici hides the useful part in `cause`.
 *
 * @example
 * ```ts
 * describeNetworkFailure(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })); // 'fetch failed (ECONNREFUSED)'
 * ```
 */
export function describeNetworkFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { message?: string; code?: string } | undefined;
  const detail = cause?.code ?? cause?.message;
  return detail ? `${error.message} (${detail})` : error.message;
}
