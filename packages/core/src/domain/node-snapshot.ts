import { z } from 'zod';
import { seriesSchema } from './series';

const bytes = z.number().finite().nonnegative();
const cores = z.number().finite().nonnegative();

/**
 * Usage history of one node over the collected period. Every field is optional (the RRD may lack
 * it); units are in the names.
 *
 * @example
 * ```ts
 * const series: NodeSeries = nodeSeriesSchema.parse({ cpuCores: { timestamps: [0], values: [3.5] } });
 * ```
 */
export const nodeSeriesSchema = z.object({
  /** CPU in use, cores (RRD `cpu × maxcpu`). */
  cpuCores: seriesSchema.optional(),
  /** Memory in use, bytes. */
  memoryUsedBytes: seriesSchema.optional(),
  /** Root file system in use, bytes. */
  rootDiskUsedBytes: seriesSchema.optional(),
  /** I/O wait as a fraction 0..1 of CPU time. */
  ioWaitFraction: seriesSchema.optional(),
  /** 1-minute load average. */
  loadAverage: seriesSchema.optional(),
  /** Network receive rate, bytes per second. */
  netInBytesPerSecond: seriesSchema.optional(),
  /** Network send rate, bytes per second. */
  netOutBytesPerSecond: seriesSchema.optional(),
});

/**
 * Usage series of a node.
 *
 * @example
 * ```ts
 * const series: NodeSeries = {};
 * ```
 */
export type NodeSeries = z.infer<typeof nodeSeriesSchema>;

/**
 * One Proxmox node at collection time. CPU is in cores (not a fraction), memory and disk in bytes.
 * Offline nodes report zeros for what they could not measure.
 *
 * @example
 * ```ts
 * const node: NodeSnapshot = nodeSnapshotSchema.parse({
 *   name: 'pve1', status: 'online', maintenance: false,
 *   cpu: { cores: 16, usageCores: 4.2 },
 *   memory: { totalBytes: 64 * 2 ** 30, usedBytes: 20 * 2 ** 30 },
 *   rootDisk: { totalBytes: 100 * 2 ** 30, usedBytes: 12 * 2 ** 30 },
 * });
 * ```
 */
export const nodeSnapshotSchema = z.object({
  name: z.string().min(1),
  status: z.enum(['online', 'offline', 'unknown']),
  /** In maintenance (HA maintenance mode or host configuration): nothing may move onto it. */
  maintenance: z.boolean(),
  cpu: z.object({
    /** Logical CPUs (`maxcpu`). */
    cores: cores,
    /** CPU in use, cores (`cpu × maxcpu`). */
    usageCores: cores,
  }),
  memory: z.object({ totalBytes: bytes, usedBytes: bytes }),
  /** The root file system (`disk` / `maxdisk` of the node resource). */
  rootDisk: z.object({ totalBytes: bytes, usedBytes: bytes }),
  /** The HA state reported by PVE (`online`, `maintenance`, `fence`, …), when HA is in use. */
  haState: z.string().optional(),
  series: nodeSeriesSchema.optional(),
});

/**
 * A node of a {@link ClusterSnapshot}.
 *
 * @example
 * ```ts
 * const free = (node: NodeSnapshot) => node.memory.totalBytes - node.memory.usedBytes;
 * ```
 */
export type NodeSnapshot = z.infer<typeof nodeSnapshotSchema>;
