import type { TLSSocket } from 'node:tls';
import { ConfigError } from '@ballast/core';
import { Agent, buildConnector } from 'undici';

/**
 * How the client verifies the controller's certificate. Verification is on by default (system
 * CAs).
 *
 * - `ca`: trust this CA (PEM), e.g. the controller's own CA.
 * - `fingerprint`: pin the controller certificate by its SHA-256 fingerprint (`AA:BB:…`). With a
 *   pin and no `ca`, the chain is not checked (Avi's default certificate is self-signed) but any
 *   other certificate is refused. With both, both must pass.
 * - `insecure: true`: no verification at all. Explicit opt-in for labs; warned about on every
 *   start, because anyone on the path can then read the password and the session cookie.
 *
 * @example
 * ```ts
 * const tls: AviTlsOptions = { fingerprint: process.env.AVI_FINGERPRINT };
 * ```
 */
export interface AviTlsOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  fingerprint?: string;
  insecure?: boolean;
}

/**
 * Normalises a SHA-256 fingerprint to upper-case `AA:BB:…`; `undefined` when it is not 32 bytes of hex.
 *
 * @example
 * ```ts
 * normalizeAviFingerprint('aa'.repeat(32)); // 'AA:AA:…'
 * ```
 */
export function normalizeAviFingerprint(value: string): string | undefined {
  const hex = value.replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/.{2}/g)!.join(':');
}

/** Thrown by the connector when the controller presents a certificate other than the pinned one. */
class FingerprintMismatchError extends Error {
  readonly code = 'ERR_AVI_FINGERPRINT_MISMATCH';
  constructor(expected: string, actual: string) {
    super(`controller certificate fingerprint ${actual || '(none)'} does not match the pinned ${expected}`);
    this.name = 'FingerprintMismatchError';
  }
}

/**
 * Creates the undici `Agent` the client uses for HTTPS: verification on, plus the CA or pin given.
 *
 * @example
 * ```ts
 * const dispatcher = createAviDispatcher({ fingerprint: 'AA:BB:…' });
 * ```
 */
export function createAviDispatcher(tls: AviTlsOptions = {}): Agent {
  const pin = tls.fingerprint === undefined ? undefined : normalizeAviFingerprint(tls.fingerprint);
  if (tls.fingerprint !== undefined && pin === undefined)
    throw new ConfigError({
      message: 'Invalid Avi client options: tls.fingerprint must be a SHA-256 fingerprint (AA:BB:…)',
      issues: [{ path: 'tls.fingerprint', message: 'not a SHA-256 fingerprint' }],
    });
  const verifyChain = tls.insecure !== true && (pin === undefined || tls.ca !== undefined);
  const base = buildConnector({
    rejectUnauthorized: verifyChain,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    // A resumed TLS session may not present the certificate again: never resume, always check.
    maxCachedSessions: 0,
  });
  if (pin === undefined) return new Agent({ connect: base });
  const pinned: buildConnector.connector = (options, callback) => {
    base(options, (...args) => {
      const [error, socket] = args;
      if (error !== null) {
        callback(error, null);
        return;
      }
      const actual = normalizeAviFingerprint(
        (socket as TLSSocket).getPeerCertificate?.()?.fingerprint256 ?? '',
      );
      if (actual !== pin) {
        socket.destroy();
        callback(new FingerprintMismatchError(pin, actual ?? ''), null);
        return;
      }
      callback(null, socket);
    });
  };
  return new Agent({ connect: pinned });
}

/**
 * True for hosts whose traffic never leaves the machine (`localhost`, 127.0.0.0/8, `::1`).
 *
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.1'); // true
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  return /^127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(host);
}

/**
 * Refuses `http://` to a non-loopback controller unless `allowInsecureHttp` (the password and the
 * session cookie would cross the network in clear text), and warns whenever verification is off.
 *
 * @example
 * ```ts
 * enforceAviTransportSecurity(new URL('https://avi.example.com'), { insecure: true }, false, console.warn); // warns
 * ```
 */
export function enforceAviTransportSecurity(
  origin: URL,
  tls: AviTlsOptions | undefined,
  allowInsecureHttp: boolean,
  warn: (message: string) => void,
): void {
  if (origin.protocol === 'http:' && !isLoopbackHost(origin.hostname)) {
    if (!allowInsecureHttp)
      throw new ConfigError({
        message: `Refusing to log in to ${origin.host} over plain HTTP: use https://, or set allowInsecureHttp: true for a trusted lab network`,
        issues: [{ path: 'baseUrl', message: 'http:// is only allowed to loopback hosts' }],
      });
    warn(
      `[ballast/avi] INSECURE: the Avi password and session cookie are sent to ${origin.host} over http://`,
    );
  }
  if (tls?.insecure === true)
    warn(
      `[ballast/avi] INSECURE: TLS certificate verification is off for ${origin.host} (tls.insecure); pin the certificate with tls.fingerprint instead`,
    );
}
