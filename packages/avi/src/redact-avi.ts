import { redactSecrets } from '@ballast/core';

/** What replaces a secret value. */
export const REDACTED = '[redacted]';

// Keys whose values are secrets wherever they appear in an Avi object: TLS session-ticket keys
// (returned by a plain VS GET), private keys and passphrases of SSL key objects, passwords of
// users, backups and clouds, tokens, cookies and session ids.
const secretKey =
  /^(?:tls_ticket_key|key|private_key|aes_key|hmac_key|key_passphrase|passphrase|password|old_password|secret|secret_key|access_key|shared_secret|token|auth_token|api_token|authorization|cookie|set-cookie|csrftoken|x-csrftoken|sessionid|avi-sessionid|session_cookie)$|_(?:password|passphrase|secret|token|key)$/i;

const privateKeyBlock = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g;

/**
 * Removes secrets from an Avi payload before it goes anywhere near a model, a log or an audit
 * record: the values of secret keys (`tls_ticket_key`, `key`, `*_password`, `*_token`, cookies…)
 * become `[redacted]`, PEM private-key blocks inside strings are cut out, and well-known
 * credential formats and the given `knownSecrets` (the client's password, its session cookie) are
 * scrubbed from every string. Returns a new value; the input is not changed.
 *
 * @example
 * ```ts
 * redactAviPayload({ name: 'vs', tls_ticket_key: [{ aes_key: '…' }] }); // { name: 'vs', tls_ticket_key: '[redacted]' }
 * ```
 */
export function redactAviPayload(
  value: unknown,
  knownSecrets: ReadonlyArray<string | undefined> = [],
): unknown {
  const seen = new WeakSet<object>();
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return redactText(item, knownSecrets);
    if (typeof item !== 'object' || item === null) return item;
    if (seen.has(item)) return '[cycle]';
    seen.add(item);
    if (Array.isArray(item)) return item.map(walk);
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(item)) {
      const redactedKey = redactText(key, knownSecrets);
      result[redactedKey] = secretKey.test(key) && child !== '' && child !== null ? REDACTED : walk(child);
    }
    return result;
  };
  return walk(value);
}

/**
 * Scrubs one text: PEM private keys, credential formats (`redactSecrets`) and `knownSecrets`.
 *
 * @example
 * ```ts
 * redactText('password=hunter22', []); // 'password=[redacted]'
 * ```
 */
export function redactText(text: string, knownSecrets: ReadonlyArray<string | undefined> = []): string {
  return redactSecrets(text.replace(privateKeyBlock, '[redacted private key]'), knownSecrets);
}
