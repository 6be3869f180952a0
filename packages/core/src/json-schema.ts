import { z } from 'zod';
import type { JsonSchema, SchemaInput } from './chat-request';

/** True when the value is a zod 4 schema. */
export function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/**
 * Converts a zod schema to the JSON Schema providers expect (no `$schema` key); passes plain
 * JSON Schema through untouched.
 *
 * @example
 * ```ts
 * toJsonSchema(z.object({ city: z.string() })); // { type: 'object', properties: { city: { type: 'string' } }, ... }
 * ```
 */
export function toJsonSchema(schema: SchemaInput): JsonSchema {
  if (!isZodSchema(schema)) return schema;
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as JsonSchema;
  return rest;
}
