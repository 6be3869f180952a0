import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors/validation-error';
import { extractJson, safeExtractJson } from './extract-json';

describe('extractJson', () => {
  it.each([
    ['bare object', '{"a":1}', { a: 1 }, []],
    ['bare array', ' [1,2] ', [1, 2], []],
    ['fenced block', 'Sure:\n```json\n{"a":1}\n```\nanything else?', { a: 1 }, ['fenced-block']],
    ['fence without language', '```\n{"a":1}\n```', { a: 1 }, ['fenced-block']],
    [
      'prose around',
      'The plan is {"moves":[{"vmid":101}]} as requested.',
      { moves: [{ vmid: 101 }] },
      ['surrounding-prose'],
    ],
    [
      'braces inside strings',
      'x {"why":"node {a} is } busy"} y',
      { why: 'node {a} is } busy' },
      ['surrounding-prose'],
    ],
    ['trailing commas', '{"a":[1,2,],}', { a: [1, 2] }, ['trailing-commas']],
    ['smart quotes', '{\u201ca\u201d: \u201cb\u201d}', { a: 'b' }, ['smart-quotes']],
    ['fenced with trailing comma', '```json\n{"a":1,}\n```', { a: 1 }, ['fenced-block', 'trailing-commas']],
  ])('handles %s', (_, text, value, repairs) => {
    expect(extractJson(text)).toEqual({ value, repairs });
  });

  it.each([
    ['no json', 'I cannot help with that.'],
    ['unbalanced', '{"a": [1, 2}'],
    ['scalar only', '42'],
    ['empty', ''],
  ])('fails with a typed error for %s', (_, text) => {
    expect(() => extractJson(text)).toThrow(ValidationError);
    const result = safeExtractJson(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues[0]?.code).toBe('no_json');
  });

  it('rejects non-string input with a typed error instead of crashing', () => {
    expect(safeExtractJson(undefined as unknown as string).ok).toBe(false);
  });

  it('finds any JSON object wrapped in arbitrary prose without braces', () => {
    const prose = fc.string().filter((text) => !/[{}[\]"`\u201c\u201d]/.test(text));
    const objects = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.oneof(fc.integer(), fc.string(), fc.boolean()),
    );
    fc.assert(
      fc.property(prose, objects, prose, (before, object, after) => {
        const result = safeExtractJson(`${before} ${JSON.stringify(object)} ${after}`);
        expect(result.ok && result.value).toEqual(object);
      }),
      { numRuns: 200 },
    );
  });
});
