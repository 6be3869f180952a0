import { z } from 'zod';
import type { JsonSchema, SchemaInput } from './chat-request';
import { ConfigError } from './errors/config-error';

/** True when the value is a zod 4 schema. */
export function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/** True for a zod 3 schema (zod 3.x, or `zod/v3` of zod 4): it has `_def` but no `_zod`. */
function isZod3Schema(value: unknown): boolean {
  return typeof value === 'object' && value !== null && '_def' in value && !('_zod' in value);
}

const zod3Advice =
  'Ballast needs zod 4 schemas: upgrade to zod 4 and import from "zod", or on zod 3.25+ import ' +
  '{ z } from "zod/v4"; or pass plain JSON Schema (for example the output of zod-to-json-schema).';

/**
 * Converts a zod schema to the JSON Schema providers expect (no `$schema` key); passes plain
 * JSON Schema through untouched.
 *
 * @throws {@link ConfigError} when `schema` is neither: a zod 3 schema (which would otherwise be
 *   sent as its internals, `{"_def": …}`), or an object holding functions, class instances,
 *   zod schemas, bigints, symbols or cycles, none of which survive `JSON.stringify`. The
 *   error's `issues` name the path of each offending value.
 *
 * @example
 * ```ts
 * toJsonSchema(z.object({ city: z.string() })); // { type: 'object', properties: { city: { type: 'string' } }, ... }
 * ```
 */
export function toJsonSchema(schema: SchemaInput): JsonSchema {
  if (isZodSchema(schema)) {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as JsonSchema;
    return rest;
  }
  if (isZod3Schema(schema))
    throw new ConfigError({
      message: `The schema is a zod 3 schema. ${zod3Advice}`,
      issues: [{ path: '(root)', message: 'zod 3 schema' }],
    });
  const issues: Array<{ path: string; message: string }> = [];
  if (!isPlainObject(schema))
    issues.push({ path: '(root)', message: `${describe(schema)}, not a JSON Schema object` });
  else checkJson(schema, '', new Set(), issues);
  if (issues.length > 0) {
    const zod3 = issues.some((issue) => issue.message === 'zod 3 schema');
    const details = issues
      .slice(0, 5)
      .map((issue) => `${issue.path}: ${issue.message}`)
      .join('; ');
    throw new ConfigError({
      message: `The schema is neither a zod 4 schema nor plain JSON Schema (${details}).${zod3 ? ` ${zod3Advice}` : ''}`,
      issues,
    });
  }
  return schema;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value !== 'object') return `a ${typeof value}`;
  if (Array.isArray(value)) return 'an array';
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor
    ?.name;
  return `an instance of ${name || 'a class'}`;
}

/** Collects every value under `value` that is no JSON (depth-first, paths like `properties.city`). */
function checkJson(
  value: unknown,
  path: string,
  seen: Set<object>,
  issues: Array<{ path: string; message: string }>,
) {
  const where = path || '(root)';
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return;
    case 'object':
      break;
    default:
      issues.push({ path: where, message: describe(value) });
      return;
  }
  if (value === null) return;
  if (isZodSchema(value)) {
    issues.push({ path: where, message: 'a zod schema inside JSON Schema: pass the whole schema as zod' });
    return;
  }
  if (isZod3Schema(value)) {
    issues.push({ path: where, message: 'zod 3 schema' });
    return;
  }
  if (!Array.isArray(value) && !isPlainObject(value)) {
    issues.push({ path: where, message: describe(value) });
    return;
  }
  if (seen.has(value)) {
    issues.push({ path: where, message: 'a cycle' });
    return;
  }
  seen.add(value);
  if (Array.isArray(value))
    value.forEach((item, index) => {
      checkJson(item, `${path}[${index}]`, seen, issues);
    });
  else
    for (const [key, item] of Object.entries(value))
      checkJson(item, path ? `${path}.${key}` : key, seen, issues);
  seen.delete(value);
}
