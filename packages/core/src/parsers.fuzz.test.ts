import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apiCallErrorFromResponse } from './api-call-error-from-response';
import { ApiCallError } from './errors/api-call-error';
import { ValidationError } from './errors/validation-error';
import { safeExtractJson } from './extract-json';
import { parseRetryAfterMs } from './retry-after';
import { parseToolArguments } from './tool-arguments';

// Fuzzing of every core parser that reads model or upstream text (issue 10). Bounded runs for CI;
// bench/parsers-fuzz.bench.ts runs the same properties much longer on bigger inputs and reports
// the worst time. Properties: the parser completes and either returns a well-formed value or
// fails with its typed error, never anything else.

const jsonish = fc.constantFrom(
  '{',
  '}',
  '[',
  ']',
  '"',
  '\\',
  ',',
  ':',
  ' ',
  '\n',
  '`',
  '\u201c',
  '\u201d',
  'a',
  '1',
);
/** Text a model might send: random unicode, JSON-ish symbol soup, or real JSON with prose around it. */
const modelText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.array(jsonish, { maxLength: 2_000 }).map((chars) => chars.join('')),
  fc
    .tuple(fc.string({ maxLength: 40 }), fc.json(), fc.string({ maxLength: 40 }))
    .map(([a, json, b]) => `${a}${json}${b}`),
  fc
    .tuple(fc.constantFrom('[', '{', '["', '{"a":', '```json\n'), fc.integer({ min: 1, max: 5_000 }))
    .map(([unit, count]) => unit.repeat(count)),
);
const runs = { numRuns: 300 };

describe('core parsers under fuzzing', () => {
  it('safeExtractJson returns a value or a no_json / input_too_large ValidationError', () => {
    fc.assert(
      fc.property(modelText, (text) => {
        const result = safeExtractJson(text);
        if (result.ok) {
          expect(typeof result.value).toBe('object');
          expect(result.value).not.toBeNull();
        } else {
          expect(ValidationError.isInstance(result.error)).toBe(true);
          expect(['no_json', 'input_too_large']).toContain(result.error.issues[0]?.code);
        }
      }),
      runs,
    );
  });

  it('parseToolArguments never throws and always yields an object', () => {
    fc.assert(
      fc.property(fc.oneof(modelText, fc.anything()), (input) => {
        const parsed = parseToolArguments(input);
        expect(typeof parsed.arguments).toBe('object');
        expect(Array.isArray(parsed.arguments)).toBe(false);
        expect(typeof parsed.rawArguments).toBe('string');
      }),
      runs,
    );
  });

  it('parseRetryAfterMs yields undefined or a finite, non-negative delay', () => {
    const header = fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.double().map(String),
      fc.constantFrom('1e306', '-0', '1e400', 'Infinity', 'NaN'),
      fc.date({ noInvalidDate: true }).map((date) => date.toUTCString()),
    );
    fc.assert(
      fc.property(header, header, (retryAfter, retryAfterMs) => {
        const delay = parseRetryAfterMs({ 'retry-after': retryAfter, 'retry-after-ms': retryAfterMs }, 0);
        if (delay !== undefined) {
          expect(Number.isFinite(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
        }
      }),
      runs,
    );
  });

  it('apiCallErrorFromResponse classifies any body and status into a bounded ApiCallError', () => {
    const body = fc.oneof(modelText, fc.json(), fc.anything());
    const status = fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined });
    fc.assert(
      fc.property(body, status, fc.string({ maxLength: 50 }), (anyBody, statusCode, message) => {
        const error = apiCallErrorFromResponse({ provider: 'fuzz', statusCode, body: anyBody, message });
        expect(ApiCallError.isInstance(error)).toBe(true);
        expect(typeof error.code).toBe('string');
        expect(error.message.length).toBeLessThanOrEqual(1_000);
        expect((error.responseBody ?? '').length).toBeLessThanOrEqual(2_000);
      }),
      runs,
    );
  });
});
