import { redactSecrets } from '@ballast/core';
import type { z } from 'zod';
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

/** Redacts credentials from a text before it is stored (known secrets plus core's patterns). */
export function redactForStorage(text: string, knownSecrets: readonly string[] = []): string {
  return redactSecrets(text, knownSecrets);
}

const secretKey = /^(api[_-]?key|token|secret|password|authorization)$/i;

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
        typeof item === 'string' && secretKey.test(key)
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
