/** Patterns of credentials that must never reach logs, errors, snapshots or prompts. */
const secretPatterns: RegExp[] = [
  /\bsk-ant-[A-Za-z0-9_-]{8,}/g,
  /\bsk-(?:proj-)?[A-Za-z0-9_-]{16,}/g,
  /\bgsk_[A-Za-z0-9]{16,}/g,
  /\bxai-[A-Za-z0-9]{16,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /(PVEAPIToken=[^=\s]+=)[A-Za-z0-9-]+/g,
  /((?:api[_-]?key|token|secret|password)["'\s:=]+)[^"'\s,&}]{4,}/gi,
];

/**
 * A necessary condition of every pattern above (each one starts with one of these words,
 * case-insensitively): one scan tells that a text holds none of them, which is what nearly every
 * text is, instead of eight replacements that find nothing.
 */
const mayHoldSecret = /sk-|gsk_|xai-|AIza|Bearer\s|PVEAPIToken=|api[_-]?key|token|secret|password/i;

/**
 * Removes credentials from a text: well-known key formats, bearer tokens, Proxmox API tokens,
 * `key=value` secrets, and any `knownSecrets` given explicitly (an adapter passes its own key).
 *
 * @example
 * ```ts
 * redactSecrets('Authorization: Bearer sk-abc...', ['my-key']); // 'Authorization: Bearer [redacted]'
 * ```
 */
export function redactSecrets(text: string, knownSecrets: ReadonlyArray<string | undefined> = []): string {
  let result = text;
  for (const secret of knownSecrets) {
    if (secret && secret.length >= 4 && result.includes(secret))
      result = result.split(secret).join('[redacted]');
  }
  if (!mayHoldSecret.test(result)) return result;
  for (const pattern of secretPatterns) {
    result = result.replace(pattern, (match, prefix: unknown) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}[redacted]` : '[redacted]',
    );
  }
  return result;
}

/**
 * Redacts, then truncates to `maxLength` characters. The order matters: truncating first can cut
 * a secret in two, and the surviving half no longer matches the secret or its pattern (the
 * Proxmox client leaked 13 characters of a token secret that way).
 *
 * Only a window slightly longer than `maxLength` is redacted, so a huge text costs no more than a
 * short one; a secret that starts inside the window is still removed whole.
 *
 * @example
 * ```ts
 * redactThenTruncate(responseText, 120, [tokenSecret]);
 * ```
 */
export function redactThenTruncate(
  text: string,
  maxLength: number,
  knownSecrets: ReadonlyArray<string | undefined> = [],
): string {
  const longestSecret = knownSecrets.reduce((longest, secret) => Math.max(longest, secret?.length ?? 0), 0);
  const window = text.slice(0, maxLength + longestSecret + 512);
  return redactSecrets(window, knownSecrets).slice(0, maxLength);
}
