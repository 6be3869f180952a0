import { redactSecrets } from '@ballast/core';
import { z } from 'zod';
import { type StoreBackend, StoreError } from './errors/store-error';

/**
 * Validates input with a zod schema and throws a {@link StoreError} `invalid_input` naming every
 * problem (values are not echoed: they may hold secrets).
 */
export function parseStoreInput<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  subject: string,
  backend: StoreBackend,
): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new StoreError({ message: `Invalid ${subject}: ${details}`, backend, reason: 'invalid_input' });
}

/** A UTF-16 surrogate without its other half: not a character, and not encodable as UTF-8. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A text column's schema: a string without NUL characters or lone surrogates. PostgreSQL's
 * `text` cannot hold U+0000 (the statement fails), and a lone surrogate came back as U+FFFD
 * (one on PostgreSQL, three on SQLite, intact in memory), so both are refused on every backend
 * alike, before anything is written.
 */
export function storedText(): z.ZodString {
  return z
    .string()
    .refine((text) => !text.includes('\u0000'), { message: 'must not contain a NUL character (U+0000)' })
    .refine((text) => !loneSurrogate.test(text), {
      message: 'must be well-formed UTF-16 (a lone surrogate is not a character)',
    });
}

/**
 * `Authorization: <scheme> <credentials>` (and `Proxy-Authorization`) in a text: core's patterns
 * know bearer tokens, not Basic or Digest credentials.
 */
const authorizationValue = /(authorization["']?\s*[:=]\s*["']?)(?:[A-Za-z]+\s+)?[^\s"',&}]{4,}/gi;

/** Redacts credentials from a text before it is stored (known secrets plus core's patterns). */
export function redactForStorage(text: string, knownSecrets: readonly string[] = []): string {
  const redacted = redactSecrets(text, knownSecrets);
  return /authorization/i.test(redacted)
    ? redacted.replace(authorizationValue, (match, prefix: string) =>
        match.endsWith('[redacted]') ? match : `${prefix}[redacted]`,
      )
    : redacted;
}

/**
 * Field names whose string values are censored: a name that, lower-cased without `-`, `_`, `.`
 * and spaces, ends in one of these words (`apiKey`, `x-api-key`, `ai_api_key`, `accessToken`,
 * `client_secret`, `proxy-authorization`, `set-cookie`…; not `apiKeyId` or `tokenizer`), the
 * logger's list of secret fields and then some.
 */
const secretKeyEnding =
  /(apikeys?|token|secrets?|password|passwd|authorization|cookies?|credentials?|privatekey)$/;
const isSecretKey = (key: string) => secretKeyEnding.test(key.toLowerCase().replace(/[-_.\s]/g, ''));

/** Where a value is not plain JSON (`details.when: a Date`), or undefined when it is. */
function jsonProblem(value: unknown, path: string, ancestors: Set<object>): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number')
    return Number.isFinite(value) ? undefined : `${path}: ${value} is not a finite number`;
  if (typeof value !== 'object') return `${path}: a ${typeof value} is not JSON`;
  if (ancestors.has(value)) return `${path}: a circular reference`;
  if (ancestors.size >= 64) return `${path}: nested deeper than 64 levels`;
  const prototype = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null)
    return `${path}: a ${prototype?.constructor?.name ?? 'non-plain object'} is not plain JSON (convert it first)`;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        const problem = jsonProblem(value[index], `${path}.${index}`, ancestors);
        if (problem) return problem;
      }
      return undefined;
    }
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      // An absent optional field: JSON leaves it out, as every store does.
      if (item === undefined) continue;
      const problem = jsonProblem(item, `${path}.${key.slice(0, 50)}`, ancestors);
      if (problem) return problem;
    }
    return undefined;
  } finally {
    ancestors.delete(value);
  }
}

/**
 * Checks that `value` is plain JSON (finite numbers, plain objects and arrays, no cycles) and
 * returns its redacted copy ({@link redactJsonForStorage}). A `Date`, `Map`, `bigint`, `NaN` or a
 * cycle is refused with a {@link StoreError} `invalid_input` naming where it is, rather than
 * stored as `{}`/`null` or thrown as a `TypeError` by `JSON.stringify`.
 */
export function prepareJsonForStorage(
  value: unknown,
  subject: string,
  backend: StoreBackend,
  knownSecrets: readonly string[] = [],
): unknown {
  const problem = jsonProblem(value, subject, new Set());
  if (problem) throw new StoreError({ message: `Invalid ${problem}`, backend, reason: 'invalid_input' });
  return redactJsonForStorage(value, knownSecrets);
}

/**
 * Redacts every string inside a JSON-safe value before it is stored: a copy, with secret-named
 * string fields censored and every other string passed through {@link redactForStorage}. A plain
 * loop over the keys (the gateway's books redact one audit entry per call, so this is on a batch
 * writer's every entry).
 */
export function redactJsonForStorage(value: unknown, knownSecrets: readonly string[] = []): unknown {
  if (typeof value === 'string') return redactSecrets(value, knownSecrets);
  if (Array.isArray(value)) return value.map((item) => redactJsonForStorage(item, knownSecrets));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      const clean =
        typeof item === 'string' && isSecretKey(key)
          ? '[redacted]'
          : redactJsonForStorage(item, knownSecrets);
      // `__proto__` stays an own field of the copy (an assignment would set its prototype).
      if (key === '__proto__')
        Object.defineProperty(out, key, {
          value: clean,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[key] = clean;
    }
    return out;
  }
  return value;
}

/**
 * Checks the numbers of a query (`limit`, `since`, `hours`…): `NaN` or `±Infinity` is refused with
 * a {@link StoreError} `invalid_input` on every backend, instead of a driver error (PostgreSQL,
 * SQLite) or an empty answer (in memory).
 */
export function assertFiniteQuery(values: Record<string, unknown>, backend: StoreBackend): void {
  for (const [name, value] of Object.entries(values))
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value)))
      throw new StoreError({
        message: `Invalid query: ${name} must be a finite number`,
        backend,
        reason: 'invalid_input',
      });
}
