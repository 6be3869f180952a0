import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http-error';

/** A gateway API key as stored: only its SHA-256 hash is kept. */
export interface ApiKeyRecord {
  /** Stable, non-secret name of the key (logs, metrics, rate-limit buckets, memory namespace). */
  id: string;
  /** `sha256:<hex>` of the key (see {@link hashApiKey}). */
  hash: string;
  /** May change settings (`PUT /api/config`, gRPC writes). Default false. */
  admin?: boolean;
  /** Requests per minute for this key (overrides the gateway default). */
  requestsPerMinute?: number;
}

/** Who made a request, once authenticated. */
export interface Caller {
  keyId: string;
  admin: boolean;
  requestsPerMinute: number | undefined;
}

/** Where a key is read from: a Fetch `Request`, or anything with the same `headers.get`. */
export interface CredentialSource {
  headers: { get(name: string): string | null };
}

/**
 * Hashes an API key for storage: `sha256:<hex>`. Keys are long random strings, so a fast hash is
 * the right tool (a password hash would only slow every request).
 *
 * @example
 * ```ts
 * hashApiKey('sk-ballast-123'); // 'sha256:9f…'
 * ```
 */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/**
 * Checks bearer keys against hashed records. With no records, every caller is anonymous and allowed.
 *
 * @example
 * ```ts
 * const keys = createApiKeyVerifier([{ id: 'ci', hash: hashApiKey(process.env.CI_KEY!) }]);
 * const caller = keys.authenticate(request); // throws HttpError 401 on a missing or wrong key
 * ```
 */
export function createApiKeyVerifier(records: readonly ApiKeyRecord[]) {
  const byHash = new Map<string, ApiKeyRecord>();
  for (const record of records) {
    if (!/^sha256:[0-9a-f]{64}$/.test(record.hash))
      throw new Error(`API key "${record.id}": hash must be sha256:<64 hex digits> (use hashApiKey)`);
    byHash.set(record.hash, record);
  }
  const enabled = byHash.size > 0;
  return {
    enabled,
    authenticate(request: CredentialSource): Caller {
      if (!enabled) return { keyId: 'anonymous', admin: true, requestsPerMinute: undefined };
      const header = request.headers.get('authorization') ?? '';
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const key = match?.[1] ?? request.headers.get('x-api-key') ?? undefined;
      if (!key) {
        // A header that is there but is not `Bearer <key>` (another scheme, a bare key, two keys):
        // say so, rather than "missing". The header's value is never echoed: it may be a secret.
        if (header.trim() !== '')
          throw new HttpError(
            401,
            'unauthorized',
            'Malformed Authorization header: send Authorization: Bearer <key> (one key, no other scheme)',
            { headers: { 'www-authenticate': 'Bearer error="invalid_request"' } },
          );
        throw new HttpError(401, 'unauthorized', 'Missing API key: send Authorization: Bearer <key>', {
          headers: { 'www-authenticate': 'Bearer' },
        });
      }
      const hash = hashApiKey(key);
      const record = byHash.get(hash);
      // The map lookup is on a hash of the presented key; compare again in constant time anyway.
      if (!record || !timingSafeEqual(Buffer.from(record.hash), Buffer.from(hash)))
        throw new HttpError(401, 'unauthorized', 'Invalid API key', {
          headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
        });
      return { keyId: record.id, admin: record.admin ?? false, requestsPerMinute: record.requestsPerMinute };
    },
  };
}
