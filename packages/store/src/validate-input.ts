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

/** Redacts every string inside a JSON-safe value before it is stored. */
export function redactJsonForStorage(value: unknown, knownSecrets: readonly string[] = []): unknown {
  if (typeof value === 'string') return redactSecrets(value, knownSecrets);
  if (Array.isArray(value)) return value.map((item) => redactJsonForStorage(item, knownSecrets));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        /^(api[_-]?key|token|secret|password|authorization)$/i.test(key) && typeof item === 'string'
          ? '[redacted]'
          : redactJsonForStorage(item, knownSecrets),
      ]),
    );
  return value;
}
