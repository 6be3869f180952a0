import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { z as z3 } from 'zod/v3';
import { ConfigError } from './errors';
import { toJsonSchema } from './json-schema';

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('toJsonSchema', () => {
  it('converts zod 4 and passes plain JSON Schema through', () => {
    expect(toJsonSchema(z.object({ city: z.string() }))).toMatchObject({
      type: 'object',
      properties: { city: { type: 'string' } },
    });
    const plain = { type: 'object', properties: { n: { type: 'integer', enum: [1, 2] } }, required: ['n'] };
    expect(toJsonSchema(plain)).toBe(plain);
  });

  it('refuses a genuine zod 3 schema, saying how to convert it', () => {
    const legacy = z3.object({ city: z3.string() });
    expect('_def' in legacy && !('_zod' in legacy)).toBe(true);
    // What JavaScript callers (no type check) could pass before: it used to go out as {"_def": …}.
    const error = configErrorOf(() => toJsonSchema(legacy as never));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toMatch(/zod 3 schema/);
    expect(error.message).toMatch(/zod\/v4/);
    expect(error.issues).toEqual([{ path: '(root)', message: 'zod 3 schema' }]);
  });

  it('names the path of zod 3 and zod 4 schemas nested in JSON Schema', () => {
    const nested = configErrorOf(() =>
      toJsonSchema({ type: 'object', properties: { a: z3.string(), b: z.number() } } as never),
    );
    expect(nested.issues.map((issue) => issue.path)).toEqual(['properties.a', 'properties.b']);
    expect(nested.message).toMatch(/zod\/v4/);
  });

  it('refuses functions, class instances, bigints and cycles', () => {
    class Shape {
      type = 'object';
    }
    expect(configErrorOf(() => toJsonSchema(new Shape() as never)).message).toMatch(/instance of Shape/);
    expect(configErrorOf(() => toJsonSchema((() => ({})) as never)).message).toMatch(/a function/);
    const garbage = configErrorOf(() =>
      toJsonSchema({
        type: 'object',
        properties: { when: { default: new Date(0) }, check: { validate: () => true } },
        enum: [1n],
      }),
    );
    expect(garbage.issues).toEqual([
      { path: 'properties.when.default', message: 'an instance of Date' },
      { path: 'properties.check.validate', message: 'a function (validate)' },
      { path: 'enum[0]', message: 'a bigint' },
    ]);
    const cyclic: Record<string, unknown> = { type: 'object' };
    cyclic.items = cyclic;
    expect(configErrorOf(() => toJsonSchema(cyclic)).issues).toEqual([{ path: 'items', message: 'a cycle' }]);
  });
});
