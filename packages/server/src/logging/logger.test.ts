import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, isoTimestamp, redactLogFields } from './logger';

describe('log redaction by field name', () => {
  it('censors secret-named fields at any depth, in arrays too, without touching the input', () => {
    const input = {
      requestId: 'r-1',
      headers: { Authorization: 'Bearer sk-live-1', 'x-api-key': 'k-2', accept: 'json' },
      req: { headers: { authorization: 'Bearer sk-live-3' } },
      providers: [{ name: 'openai', apiKey: 'sk-live-4' }],
      password: 'hunter2',
      nothing: undefined,
    };
    const snapshot = structuredClone(input);
    const out = redactLogFields(input);
    expect(out).toEqual({
      requestId: 'r-1',
      headers: { Authorization: '[redacted]', 'x-api-key': '[redacted]', accept: 'json' },
      req: { headers: { authorization: '[redacted]' } },
      providers: [{ name: 'openai', apiKey: '[redacted]' }],
      password: '[redacted]',
      nothing: undefined,
    });
    expect(input).toEqual(snapshot);
    const clean = { requestId: 'r-2', nested: { status: 200 } };
    expect(redactLogFields(clean)).toBe(clean);
  });

  it('applies to every line and to child bindings', () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) }, env: {} });
    logger
      .child({ token: 'child-secret-token' })
      .info({ secret: 'deep-secret', user: { password: 'pw-123456' } }, 'hello');
    const text = lines.join('');
    expect(text).toContain('"msg":"hello"');
    for (const secret of ['child-secret-token', 'deep-secret', 'pw-123456'])
      expect(text).not.toContain(secret);
  });
});

describe('isoTimestamp', () => {
  it("writes pino's isoTime text, across second, minute and day boundaries", () => {
    const instants = [0, 7, 42, 999, 1_000, 1_001, 59_999, 60_000, 86_399_999, 86_400_000, 1_796_420_000_123];
    for (let start = 1_796_420_000_000; start < 1_796_420_003_000; start += 37) instants.push(start);
    let at = 0;
    const timestamp = isoTimestamp(() => at);
    for (const instant of instants) {
      at = instant;
      expect(timestamp()).toBe(`,"time":"${new Date(instant).toISOString()}"`);
    }
    expect(pino.stdTimeFunctions.isoTime()).toMatch(/^,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$/);
  });
});
