import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sanitizeCause } from './sanitize-cause';

class FakeSdkError extends Error {
  readonly status = 401;
  readonly code = 'invalid_api_key';
  readonly headers = new Headers({ 'x-echo': 'secret-key-ABCDEFGH' });
  readonly request = { headers: { authorization: 'Bearer secret-key-ABCDEFGH' } };
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthenticationError';
  }
}

describe('sanitizeCause', () => {
  it('keeps class name, status, code and a redacted message; drops headers and requests', () => {
    const raw = new FakeSdkError('bad key secret-key-ABCDEFGH', {
      cause: Object.assign(new Error('socket secret-key-ABCDEFGH'), { code: 'ECONNRESET' }),
    });
    const safe = sanitizeCause(raw, ['secret-key-ABCDEFGH']) as Error & Record<string, unknown>;
    expect(safe.name).toBe('AuthenticationError');
    expect(safe.message).toBe('bad key [redacted]');
    expect(safe).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect(safe.headers).toBeUndefined();
    expect(safe.request).toBeUndefined();
    expect(safe.cause).toMatchObject({ message: 'socket [redacted]', code: 'ECONNRESET' });
    expect(inspect(safe, { depth: 10 })).not.toContain('ABCD');
    expect(safe.stack).not.toContain('ABCD');
  });

  it('turns non-Error causes into a plain Error without their fields', () => {
    expect(sanitizeCause({ apiKey: 'secret-key-ABCDEFGH' })).toMatchObject({
      message: 'non-Error cause (Object)',
    });
    expect(sanitizeCause('token=abcdefgh1234')).toMatchObject({ message: 'token=[redacted]' });
    expect(sanitizeCause(undefined)).toBeUndefined();
  });
});
