import { describe, expect, it } from 'vitest';
import { apiCallErrorFromResponse } from './api-call-error-from-response';
import {
  DEFAULT_MAX_ERROR_BODY_PARSE_LENGTH,
  DEFAULT_MAX_TOOL_ARGUMENTS_LENGTH,
  MAX_RETRY_AFTER_HEADER_LENGTH,
} from './input-limits';
import { parseRetryAfterMs } from './retry-after';
import { parseToolArguments } from './tool-arguments';

describe('input limits on upstream text (issue 10)', () => {
  it('does not parse tool arguments over the limit, and says why', () => {
    const huge = `{"a":"${'x'.repeat(DEFAULT_MAX_TOOL_ARGUMENTS_LENGTH)}"}`;
    const parsed = parseToolArguments(huge);
    expect(parsed.arguments).toEqual({});
    expect(parsed.rawArguments).toHaveLength(1_000);
    expect(parsed.argumentsError).toBe(
      `arguments are ${huge.length} characters, over the limit of ${DEFAULT_MAX_TOOL_ARGUMENTS_LENGTH}`,
    );
    expect(parseToolArguments('{"a":1}', { maxLength: 3 }).argumentsError).toMatch(/over the limit of 3/);
    expect(parseToolArguments(huge, { maxLength: huge.length }).arguments).toEqual({
      a: 'x'.repeat(DEFAULT_MAX_TOOL_ARGUMENTS_LENGTH),
    });
  });

  it('ignores an over-long Retry-After instead of parsing it', () => {
    const padded = `${' '.repeat(MAX_RETRY_AFTER_HEADER_LENGTH)}5`;
    expect(parseRetryAfterMs({ 'retry-after': '5' })).toBe(5_000);
    expect(parseRetryAfterMs({ 'retry-after': padded })).toBeUndefined();
    expect(
      parseRetryAfterMs({ 'retry-after-ms': `${'0'.repeat(MAX_RETRY_AFTER_HEADER_LENGTH)}7` }),
    ).toBeUndefined();
  });

  it('classifies a huge error body by status without parsing it, keeping a redacted prefix', () => {
    const body = `{"error":{"message":"${'y'.repeat(DEFAULT_MAX_ERROR_BODY_PARSE_LENGTH)}","code":"insufficient_quota"}}`;
    const error = apiCallErrorFromResponse({ provider: 'p', statusCode: 429, body });
    // Parsed, the code would say quota_exhausted; unparsed, the 429 says rate_limited.
    expect(error.code).toBe('rate_limited');
    expect(error.responseBody).toHaveLength(2_000);
    expect(error.message.length).toBeLessThanOrEqual(1_000);
  });
});
