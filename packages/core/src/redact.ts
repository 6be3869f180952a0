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
    if (secret && secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  for (const pattern of secretPatterns) {
    result = result.replace(pattern, (match, prefix: unknown) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}[redacted]` : '[redacted]',
    );
  }
  return result;
}
