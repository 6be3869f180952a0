import { z } from 'zod';

/**
 * One storage as seen from one node (`/cluster/resources?type=storage` lists each storage once per
 * node where it is enabled). Sizes in bytes.
 *
 * @example
 * ```ts
 * const storage: StorageSnapshot = storageSnapshotSchema.parse({
 *   id: 'local-zfs', node: 'pve2', shared: false, totalBytes: 962664386560, usedBytes: 25294921728,
 *   content: ['images', 'rootdir'],
 * });
 * ```
 */
export const storageSnapshotSchema = z.object({
  /** Storage id (`storage`). */
  id: z.string().min(1),
  /** The node this entry describes. */
  node: z.string().min(1),
  /** Proxmox storage plugin (`zfspool`, `rbd`, `nfs`, …). */
  type: z.string().optional(),
  /** Same storage on every node that lists it (Ceph, NFS…). */
  shared: z.boolean(),
  /** `available` when the node can use it now. */
  status: z.enum(['available', 'unknown']).default('available'),
  totalBytes: z.number().finite().nonnegative(),
  usedBytes: z.number().finite().nonnegative(),
  /** Content types (`images`, `rootdir`, `iso`, `backup`, …). */
  content: z.array(z.string()).default([]),
});

/**
 * A storage entry of a {@link ClusterSnapshot}.
 *
 * @example
 * ```ts
 * const free = (storage: StorageSnapshot) => storage.totalBytes - storage.usedBytes;
 * ```
 */
export type StorageSnapshot = z.infer<typeof storageSnapshotSchema>;
