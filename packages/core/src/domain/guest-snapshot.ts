import { z } from 'zod';
import { seriesSchema } from './series';

const bytes = z.number().finite().nonnegative();
const cores = z.number().finite().nonnegative();

/**
 * Usage history of one guest. Units are in the names; rates are per second.
 *
 * @example
 * ```ts
 * const series: GuestSeries = guestSeriesSchema.parse({ memoryUsedBytes: { timestamps: [0], values: [2 ** 30] } });
 * ```
 */
export const guestSeriesSchema = z.object({
  /** CPU in use, cores (RRD `cpu × maxcpu`). */
  cpuCores: seriesSchema.optional(),
  /** Memory in use, bytes. */
  memoryUsedBytes: seriesSchema.optional(),
  diskReadBytesPerSecond: seriesSchema.optional(),
  diskWriteBytesPerSecond: seriesSchema.optional(),
  netInBytesPerSecond: seriesSchema.optional(),
  netOutBytesPerSecond: seriesSchema.optional(),
});

/**
 * Usage series of a guest.
 *
 * @example
 * ```ts
 * const series: GuestSeries = {};
 * ```
 */
export type GuestSeries = z.infer<typeof guestSeriesSchema>;

/**
 * A disk of a guest that lives on node-local (not shared) storage; it has to be copied to migrate.
 *
 * @example
 * ```ts
 * const disk: LocalDisk = localDiskSchema.parse({ volumeId: 'local-lvm:vm-101-disk-0', storage: 'local-lvm', sizeBytes: 32 * 2 ** 30 });
 * ```
 */
export const localDiskSchema = z.object({
  /** Proxmox volume id, `storage:volume`. */
  volumeId: z.string().min(1),
  /** Storage id the volume is on. */
  storage: z.string().min(1),
  sizeBytes: bytes,
});

/**
 * A node-local disk of a guest.
 *
 * @example
 * ```ts
 * const disk: LocalDisk = { volumeId: 'local:101/base.qcow2', storage: 'local', sizeBytes: 0 };
 * ```
 */
export type LocalDisk = z.infer<typeof localDiskSchema>;

/**
 * One VM (`vm`, qemu) or container (`ct`, lxc) at collection time. CPU in cores, memory in bytes.
 *
 * @example
 * ```ts
 * const guest: GuestSnapshot = guestSnapshotSchema.parse({
 *   vmid: 101, name: 'web1', kind: 'vm', node: 'pve1', status: 'running',
 *   cpu: { cores: 4, usageCores: 0.8 },
 *   memory: { maxBytes: 8 * 2 ** 30, usedBytes: 5 * 2 ** 30 },
 *   tags: ['plb_anti_affinity_web'], storages: ['ceph-vm'],
 * });
 * ```
 */
export const guestSnapshotSchema = z.object({
  vmid: z.number().int().positive(),
  name: z.string(),
  kind: z.enum(['vm', 'ct']),
  /** The node the guest is on now. */
  node: z.string().min(1),
  status: z.enum(['running', 'stopped', 'paused', 'suspended', 'unknown']),
  template: z.boolean().default(false),
  /** The Proxmox lock (`backup`, `migrate`, `snapshot`, …), when one is held. */
  lock: z.string().optional(),
  /** Tags as written in Proxmox (`tags: "a;b"` split). */
  tags: z.array(z.string()).default([]),
  /** Managed by the Proxmox HA stack (moves go through `ha-manager`). */
  haManaged: z.boolean().default(false),
  /** HA state (`started`, `stopped`, `ignored`, …), when HA-managed. */
  haState: z.string().optional(),
  pool: z.string().optional(),
  cpu: z.object({
    /** Configured vCPUs (`maxcpu`). */
    cores: cores,
    /** CPU in use, cores (`cpu × maxcpu`). */
    usageCores: cores,
  }),
  memory: z.object({
    /** Configured memory (`maxmem`), bytes. */
    maxBytes: bytes,
    /** Memory in use (`mem`), bytes. */
    usedBytes: bytes,
  }),
  /** Storage ids holding the guest's volumes; each must exist on a migration target. */
  storages: z.array(z.string()).default([]),
  /** Volumes on node-local storage (need `with-local-disks` to migrate). */
  localDisks: z.array(localDiskSchema).default([]),
  series: guestSeriesSchema.optional(),
});

/**
 * A guest of a {@link ClusterSnapshot}.
 *
 * @example
 * ```ts
 * const isMovable = (guest: GuestSnapshot) => !guest.template && guest.lock === undefined;
 * ```
 */
export type GuestSnapshot = z.infer<typeof guestSnapshotSchema>;
