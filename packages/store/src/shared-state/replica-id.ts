import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * A replica id that is unique per handle and still readable in a dump: `host:pid:random`.
 *
 * @example
 * ```ts
 * newReplicaId(); // 'gw-7f9c:4121:1a2b3c4d'
 * ```
 */
export function newReplicaId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}
