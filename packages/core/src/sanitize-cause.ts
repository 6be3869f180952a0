import { redactThenTruncate } from './redact';

/** Longest message kept on a sanitised cause. */
const maxCauseMessageLength = 1_000;
/** How many nested `cause`s are kept. */
const maxCauseDepth = 3;

/**
 * A copy of a foreign error that is safe to keep as a Ballast error's `cause`: the class name,
 * HTTP status, error code and type, and a message with secrets removed (then truncated), plus the
 * stack frames. Nothing else.
 *
 * Why: SDK errors carry the response headers, the parsed body and sometimes the request; an
 * upstream that echoes the API key (a proxy, a misconfigured gateway, an error page) puts the key
 * there, and `console.error(error)` prints the whole `cause` chain. Adapters pass every SDK error
 * through this before wrapping it.
 *
 * @example
 * ```ts
 * new ApiCallError({ ..., cause: sanitizeCause(sdkError, [apiKey]) });
 * ```
 */
export function sanitizeCause(cause: unknown, secrets: ReadonlyArray<string | undefined> = []): unknown {
  return sanitize(cause, secrets, 0);
}

function sanitize(cause: unknown, secrets: ReadonlyArray<string | undefined>, depth: number): unknown {
  if (cause === undefined || cause === null) return undefined;
  const clean = (text: string) => redactThenTruncate(text, maxCauseMessageLength, secrets);
  if (!(cause instanceof Error)) {
    if (typeof cause === 'object') return new Error(`non-Error cause (${describeObject(cause)})`);
    return new Error(clean(String(cause)));
  }
  const message = clean(cause.message);
  const safe = new Error(message);
  const name = cause.name || cause.constructor?.name || 'Error';
  Object.defineProperty(safe, 'name', { value: clean(name), enumerable: false, configurable: true });
  // Frames only: the stack's first lines repeat the (unredacted) message.
  const frames = (cause.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 20);
  safe.stack = [`${safe.name}: ${message}`, ...frames.map(clean)].join('\n');
  const record = cause as unknown as Record<string, unknown>;
  for (const key of ['status', 'statusCode', 'status_code']) {
    if (typeof record[key] === 'number') Object.assign(safe, { [key]: record[key] });
  }
  for (const key of ['code', 'type', 'errno', 'syscall']) {
    const value = record[key];
    if (typeof value === 'number') Object.assign(safe, { [key]: value });
    else if (typeof value === 'string') Object.assign(safe, { [key]: clean(value).slice(0, 100) });
  }
  if (cause.cause !== undefined && depth + 1 < maxCauseDepth) {
    Object.assign(safe, { cause: sanitize(cause.cause, secrets, depth + 1) });
  }
  return safe;
}

function describeObject(value: object): string {
  const name = value.constructor?.name;
  return typeof name === 'string' && name !== '' ? name.slice(0, 60) : 'object';
}
