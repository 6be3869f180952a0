import { describe, expect, it } from 'vitest';
import { redactForStorage, redactJsonForStorage } from './validate-input';

describe('redactJsonForStorage', () => {
  it('copies a JSON value with secret-named strings censored and secrets in other strings redacted', () => {
    const key = ['sk', 'A1b2C3d4E5f6G7h8I9j0K1l2'].join('-');
    const input = {
      apiKey: 'plain-looking-value',
      token: 42,
      nested: [
        { Authorization: 'Bearer abcdefgh12345', note: `uses ${key}` },
        'known-secret-1234',
        null,
        1.5,
      ],
      flags: { ok: true },
    };
    const snapshot = structuredClone(input);
    expect(redactJsonForStorage(input, ['known-secret-1234'])).toEqual({
      apiKey: '[redacted]',
      token: 42,
      nested: [{ Authorization: '[redacted]', note: 'uses [redacted]' }, '[redacted]', null, 1.5],
      flags: { ok: true },
    });
    expect(input).toEqual(snapshot);
  });

  it('keeps a "__proto__" field as an own field, never as the prototype of the copy', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": "yes"}, "b": 2}') as Record<string, unknown>;
    const copy = redactJsonForStorage(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'b']);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('redactForStorage', () => {
  it('redacts any Authorization value, and leaves one core already redacted as it is', () => {
    expect(redactForStorage('Authorization: Basic dXNlcjpwYXNzd29yZA== then more')).toBe(
      'Authorization: [redacted] then more',
    );
    expect(redactForStorage('proxy-authorization=Digest abcdef')).toBe('proxy-authorization=[redacted]');
    expect(redactForStorage('Authorization: Bearer abcdefgh12345')).toBe('Authorization: Bearer [redacted]');
    expect(redactForStorage('authorization failed for key-1')).toBe('authorization failed for key-1');
  });
});
