import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { naiveFirstBalanced } from './__fixtures__/naive-first-balanced';
import { ValidationError } from './errors/validation-error';
import { extractJson, firstBalanced, safeExtractJson } from './extract-json';
import { DEFAULT_MAX_MODEL_TEXT_LENGTH } from './input-limits';

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

describe('extractJson on hostile input (issue 10)', () => {
  // Before the fix each of these ran for minutes (quadratic rescans; 200 000 brackets never
  // finished) and blocked the event loop; now each is a few linear passes. No timing is asserted:
  // the test only has to complete (timings are in bench/parsers-fuzz.bench.ts).
  it.each([
    ['200 000 opening brackets', '['.repeat(200_000)],
    ['200 000 opening braces after prose', `answer: ${'{'.repeat(200_000)}`],
    ['nested opens with a mismatched close each time', '[{]'.repeat(70_000)],
    ['a quote per bracket', '["'.repeat(100_000)],
  ])(
    'gives up on %s with no_json instead of hanging',
    (_, text) => {
      const result = safeExtractJson(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.issues[0]?.code).toBe('no_json');
    },
    30_000,
  );

  it('still finds JSON after 100 000 unbalanced brackets of prose', () => {
    expect(extractJson(`${'['.repeat(100_000)} then {"a":1}`).value).toEqual({ a: 1 });
  }, 30_000);

  it('refuses text over the documented limit with input_too_large, before parsing', () => {
    const text = `{"a":"${'x'.repeat(DEFAULT_MAX_MODEL_TEXT_LENGTH)}"}`;
    const result = safeExtractJson(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(ValidationError.isInstance(result.error)).toBe(true);
      expect(result.error.issues[0]?.code).toBe('input_too_large');
      expect(result.error.message).toContain(String(DEFAULT_MAX_MODEL_TEXT_LENGTH));
    }
    expect(safeExtractJson('{"a":1}', { maxLength: 6 }).ok).toBe(false);
    expect(safeExtractJson(text, { maxLength: text.length }).ok).toBe(true);
  });

  it('finds the same span as the naive per-bracket scan on bracket- and quote-heavy text', () => {
    const alphabet = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      '"',
      '\u201c',
      '\u201d',
      '\\',
      'a',
      ' ',
      ':',
      ',',
      '1',
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (chars) => {
        const text = chars.join('');
        expect(firstBalanced(text)).toBe(naiveFirstBalanced(text));
      }),
      { numRuns: 3_000 },
    );
  });
});
