/**
 * The cookies of one controller session. The client talks to a single origin, so a cookie's
 * domain and path need no matching: every cookie the controller sets goes back to it (and to
 * nothing else). `Max-Age=0` or a past `Expires` deletes a cookie, as browsers do.
 *
 * @example
 * ```ts
 * const jar = createCookieJar();
 * jar.store(['csrftoken=abc; Path=/; Secure']);
 * jar.get('csrftoken'); // 'abc'
 * jar.header(); // 'csrftoken=abc'
 * ```
 */
export interface CookieJar {
  /** Applies `Set-Cookie` header values. */
  store(setCookies: readonly string[]): void;
  get(name: string): string | undefined;
  /** The `Cookie` request header, or `undefined` when the jar is empty. */
  header(): string | undefined;
  /** Every cookie value (to scrub them from error messages). */
  values(): string[];
  clear(): void;
}

/**
 * Creates an empty {@link CookieJar}.
 *
 * @example
 * ```ts
 * const jar = createCookieJar();
 * ```
 */
export function createCookieJar(): CookieJar {
  const cookies = new Map<string, string>();
  return {
    store(setCookies) {
      for (const line of setCookies) {
        const [pair = '', ...attributes] = line.split(';');
        const separator = pair.indexOf('=');
        if (separator <= 0) continue;
        const name = pair.slice(0, separator).trim();
        const value = pair.slice(separator + 1).trim();
        if (isExpired(attributes) || value === '') cookies.delete(name);
        else cookies.set(name, value);
      }
    },
    get: (name) => cookies.get(name),
    header: () =>
      cookies.size === 0 ? undefined : [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    values: () => [...cookies.values()],
    clear: () => cookies.clear(),
  };
}

// RFC 6265 §5.3: Max-Age wins over Expires. Recorded traffic carries stale Expires dates with a
// valid Max-Age, so honouring Expires first would drop a live session cookie.
function isExpired(attributes: readonly string[]): boolean {
  let expires: number | undefined;
  for (const attribute of attributes) {
    const separator = attribute.indexOf('=');
    const key = (separator < 0 ? attribute : attribute.slice(0, separator)).trim().toLowerCase();
    const value = separator < 0 ? '' : attribute.slice(separator + 1).trim();
    if (key === 'max-age') return Number(value) <= 0;
    if (key === 'expires') expires = Date.parse(value);
  }
  return expires !== undefined && Number.isFinite(expires) && expires < Date.now();
}
