import { ConfigError } from '@ballast/core';
import type { ProxmoxTlsOptions } from './tls';

/** Where the Proxmox client reports security warnings. Default `console.warn`. */
export type ProxmoxWarningHandler = (message: string) => void;

/**
 * True for hosts whose traffic never leaves the machine: `localhost`, 127.0.0.0/8 and `::1`.
 * Plain HTTP to them cannot expose the token on a network (the testkit fakes listen there).
 *
 * @example
 * ```ts
 * isLoopbackHost(new URL('http://127.0.0.1:8006').hostname); // true
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  return /^127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(host);
}

/**
 * Enforces the client's transport rules before any request is sent, because the first request
 * already carries the API token:
 *
 * - `http://` to a non-loopback host is refused with a {@link ConfigError} unless
 *   `allowInsecureHttp: true`; with it, a warning is given on every client start.
 * - TLS verification off (`tls.insecureSkipVerify`, or the older `tls.insecure`) is allowed, with a
 *   warning on every client start: a silent switch (`verify_ssl: false` in a config file) would be
 *   forgotten in production.
 *
 * @example
 * ```ts
 * enforceTransportSecurity('https://pve1:8006', { insecureSkipVerify: true }, false, console.warn); // warns
 * ```
 */
export function enforceTransportSecurity(
  origin: string,
  tls: ProxmoxTlsOptions | undefined,
  allowInsecureHttp: boolean,
  warn: ProxmoxWarningHandler,
): void {
  const url = new URL(origin);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    if (!allowInsecureHttp) {
      throw new ConfigError({
        message: `Refusing to send the Proxmox API token over plain HTTP to ${url.host}: use https://, or set allowInsecureHttp: true for a trusted lab network`,
        issues: [
          {
            path: 'baseUrl',
            message: 'http:// is only allowed to loopback hosts without allowInsecureHttp: true',
          },
        ],
      });
    }
    warn(
      `[ballast/proxmox] INSECURE: allowInsecureHttp is on; the API token is sent to ${url.host} in clear text over http://`,
    );
  }
  if (tls?.insecureSkipVerify === true || tls?.insecure === true) {
    warn(
      `[ballast/proxmox] INSECURE: TLS certificate verification is off for ${url.host} (tls.insecureSkipVerify); anyone on the path can read the API token. Pin the certificate with tls.fingerprint instead`,
    );
  }
}
