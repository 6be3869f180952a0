import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector } from 'undici';

/**
 * How the client verifies the Proxmox server's certificate. Verification is on by default
 * (system CAs).
 *
 * - `ca`: trust this CA (PEM), e.g. the cluster's `/etc/pve/pve-root-ca.pem`.
 * - `fingerprint`: pin the server certificate by its SHA-256 fingerprint (`AA:BB:…`, as shown under
 *   Node → Certificates). With a pin and no `ca`, the chain is not checked (PVE's self-signed
 *   certificates have none) but any other certificate is refused. With both, both must pass.
 * - `insecureSkipVerify: true`: no verification at all. Explicit opt-in, for labs only: the client
 *   warns on every start (see `onWarning`), because anyone on the path can then read the token.
 * - `insecure: true`: the older name of `insecureSkipVerify` (deprecated, same effect and warning).
 *
 * @example
 * ```ts
 * const tls: ProxmoxTlsOptions = { fingerprint: '70:0B:91:…:5C:26' };
 * ```
 */
export interface ProxmoxTlsOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  fingerprint?: string;
  /** Turns certificate verification off. Warned about on every client start. */
  insecureSkipVerify?: boolean;
  /** @deprecated Use `insecureSkipVerify`. */
  insecure?: boolean;
}

/**
 * Normalises a SHA-256 fingerprint to upper-case `AA:BB:…` (accepts colons or none, any case).
 * Returns `undefined` when it is not 32 bytes of hex.
 *
 * @example
 * ```ts
 * normalizeFingerprint('aabb…'); // 'AA:BB:…'
 * ```
 */
export function normalizeFingerprint(value: string): string | undefined {
  const hex = value.replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/.{2}/g)!.join(':');
}

/** Thrown by the connector when the server presents a certificate other than the pinned one. */
export class FingerprintMismatchError extends Error {
  readonly code = 'ERR_PROXMOX_FINGERPRINT_MISMATCH';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`server certificate fingerprint ${actual || '(none)'} does not match the pinned ${expected}`);
    this.name = 'FingerprintMismatchError';
  }
}

/**
 * The undici `connect` options (or connector) implementing {@link ProxmoxTlsOptions}. Exposed so the
 * wiring can be inspected and tested.
 *
 * @example
 * ```ts
 * const agent = new Agent({ connect: createProxmoxConnector({ fingerprint }) });
 * ```
 */
export function createProxmoxConnector(tls: ProxmoxTlsOptions): buildConnector.connector {
  const pin = tls.fingerprint === undefined ? undefined : normalizeFingerprint(tls.fingerprint);
  const skipVerify = tls.insecureSkipVerify === true || tls.insecure === true;
  const verifyChain = !skipVerify && (pin === undefined || tls.ca !== undefined);
  const base = buildConnector({
    rejectUnauthorized: verifyChain,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    // A resumed TLS session may not present the certificate again: never resume, always check.
    maxCachedSessions: 0,
  });
  if (pin === undefined) return base;
  return (options, callback) => {
    base(options, (...args) => {
      const [error, socket] = args;
      if (error !== null) {
        callback(error, null);
        return;
      }
      const certificate = (socket as TLSSocket).getPeerCertificate?.();
      const actual = normalizeFingerprint(certificate?.fingerprint256 ?? '') ?? '';
      if (actual !== pin) {
        socket.destroy();
        callback(new FingerprintMismatchError(pin, actual), null);
        return;
      }
      callback(null, socket);
    });
  };
}

/**
 * Creates the undici `Agent` the client uses for HTTPS: verification on, plus the CA or pin given.
 *
 * @example
 * ```ts
 * const dispatcher = createProxmoxAgent({ ca: readFileSync('pve-root-ca.pem') });
 * ```
 */
export function createProxmoxAgent(tls: ProxmoxTlsOptions = {}): Agent {
  return new Agent({ connect: createProxmoxConnector(tls) });
}
