/**
 * The fields of a Proxmox task id (`UPID:node:pid:pstart:starttime:type:id:user:`), numbers decoded
 * from hex.
 *
 * @example
 * ```ts
 * const upid: Upid = parseUpid('UPID:pve1:0000B001:0000B001:65A0F00D:qmigrate:101:root@pam:')!;
 * upid.type; // 'qmigrate'
 * ```
 */
export interface Upid {
  node: string;
  pid: number;
  pstart: number;
  /** Epoch seconds. */
  starttime: number;
  type: string;
  id: string;
  /** `user@realm` or `user@realm!token`. */
  user: string;
}

/**
 * Parses a UPID string; `undefined` when it is not one.
 *
 * @example
 * ```ts
 * parseUpid('UPID:node1:0000B001:0000B001:0000B001:qmigrate:101:root@pam:')?.node; // 'node1'
 * ```
 */
export function parseUpid(value: string): Upid | undefined {
  const match =
    /^UPID:([^:]+):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:]+):([^:]*):([^:]+):/.exec(value);
  if (!match) return undefined;
  return {
    node: match[1]!,
    pid: Number.parseInt(match[2]!, 16),
    pstart: Number.parseInt(match[3]!, 16),
    starttime: Number.parseInt(match[4]!, 16),
    type: match[5]!,
    id: match[6]!,
    user: match[7]!,
  };
}
