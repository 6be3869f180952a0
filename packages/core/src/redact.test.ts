import { describe, expect, it } from 'vitest';
import { redactSecrets, redactThenTruncate } from './redact';

describe('redactSecrets', () => {
  it.each([
    ['openai key', 'key sk-proj-AbCdEfGhIjKlMnOpQrStUv12'],
    // Key-shaped strings are assembled at run time so no literal that looks like a real key is
    // committed (the repository's own secret scan would rightly flag it).
    ['anthropic key', `x-api-key: ${['sk', 'ant', 'api03', 'AbCdEfGhIjKlMnOp'].join('-')}`],
    ['groq key', `${'gsk'}_${'AbCdEfGhIjKlMnOpQrStUv'}`],
    ['bearer token', 'Authorization: Bearer abc.def.ghi123456'],
    ['proxmox token', 'PVEAPIToken=root@pam!ballast=8f2a1c3e-0000-4000-8000-123456789abc'],
    ['key=value', 'api_key=hunter2hunter2'],
  ])('removes a %s', (_, text) => {
    const redacted = redactSecrets(text);
    expect(redacted).toContain('[redacted]');
    expect(redacted).not.toMatch(/AbCdEf|abc\.def|8f2a1c3e|hunter2/);
  });

  it('removes explicitly known secrets anywhere', () => {
    expect(redactSecrets('token is my-own-secret!', ['my-own-secret'])).toBe('token is [redacted]!');
  });

  it('leaves ordinary text alone', () => {
    expect(redactSecrets('node pve1 has 64 GiB of memory')).toBe('node pve1 has 64 GiB of memory');
  });
});

describe('redactThenTruncate (issue 10)', () => {
  it('removes a secret that straddles the cut instead of leaving its first half', () => {
    const secret = '8f2a1c3e-0000-4000-8000-123456789abc';
    const text = `${'x'.repeat(100)}${secret} trailing`;
    // Truncating first leaves `8f2a1c3e-0000-4000-8` (not the whole secret, so not redacted).
    expect(redactSecrets(text.slice(0, 120), [secret])).toContain('8f2a1c3e');
    const safe = redactThenTruncate(text, 120, [secret]);
    expect(safe).toBe(`${'x'.repeat(100)}[redacted] trailing`.slice(0, 120));
    expect(safe).not.toContain('8f2a');
  });

  it('costs no more on a huge text than on a short one (only a window is redacted)', () => {
    expect(redactThenTruncate('a'.repeat(5_000_000), 10)).toBe('a'.repeat(10));
  });
});
