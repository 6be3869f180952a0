import { z } from 'zod';
import { clusterConstraintsSchema } from './constraints';
import { guestSnapshotSchema } from './guest-snapshot';
import { haRuleSchema } from './ha-rule';
import { nodeSnapshotSchema } from './node-snapshot';
import { storageSnapshotSchema } from './storage-snapshot';

/**
 * Where a snapshot came from. Only the kind and a display endpoint: never credentials.
 *
 * @example
 * ```ts
 * const source: SnapshotSource = snapshotSourceSchema.parse({ kind: 'proxmox', endpoint: 'https://pve1:8006' });
 * ```
 */
export const snapshotSourceSchema = z.object({
  kind: z.enum(['proxmox', 'simulated', 'fixture', 'manual']),
  /** Base URL or a label, without credentials. */
  endpoint: z.string().optional(),
});

/**
 * The origin of a snapshot.
 *
 * @example
 * ```ts
 * const source: SnapshotSource = { kind: 'simulated' };
 * ```
 */
export type SnapshotSource = z.infer<typeof snapshotSourceSchema>;

/**
 * The RRD timeframe the usage series cover (`rrddata?timeframe=`).
 *
 * @example
 * ```ts
 * const period: MetricsPeriod = metricsPeriodSchema.parse('day');
 * ```
 */
export const metricsPeriodSchema = z.enum(['hour', 'day', 'week', 'month', 'year', 'decade']);

/**
 * An RRD timeframe.
 *
 * @example
 * ```ts
 * const period: MetricsPeriod = 'week';
 * ```
 */
export type MetricsPeriod = z.infer<typeof metricsPeriodSchema>;

/**
 * A Proxmox cluster at one moment: nodes, guests, storages, usage series and every placement
 * constraint. Units: CPU in cores, memory and disk in bytes, rates per second, times in epoch ms.
 * It carries no credentials, so it can be logged, stored and sent to a model.
 *
 * @example
 * ```ts
 * const snapshot: ClusterSnapshot = clusterSnapshotSchema.parse({
 *   collectedAt: Date.now(),
 *   source: { kind: 'simulated' },
 *   nodes: [{ name: 'pve1', status: 'online', maintenance: false, cpu: { cores: 8, usageCores: 1 },
 *     memory: { totalBytes: 2 ** 35, usedBytes: 2 ** 33 }, rootDisk: { totalBytes: 2 ** 36, usedBytes: 2 ** 33 } }],
 *   guests: [],
 * });
 * ```
 */
export const clusterSnapshotSchema = z.object({
  /** Epoch milliseconds. */
  collectedAt: z.number().finite(),
  source: snapshotSourceSchema,
  /** The timeframe the series cover, when series were collected. */
  period: metricsPeriodSchema.optional(),
  nodes: z.array(nodeSnapshotSchema),
  guests: z.array(guestSnapshotSchema),
  storages: z.array(storageSnapshotSchema).default([]),
  constraints: clusterConstraintsSchema.default({
    affinityGroups: [],
    antiAffinityGroups: [],
    pins: [],
    ignoredGuests: [],
    maintenanceNodes: [],
  }),
  /** The HA rules the constraints were derived from, kept for reference. */
  haRules: z.array(haRuleSchema).optional(),
});

/**
 * A snapshot of a Proxmox cluster.
 *
 * @example
 * ```ts
 * const onNode = (snapshot: ClusterSnapshot, node: string) => snapshot.guests.filter((guest) => guest.node === node);
 * ```
 */
export type ClusterSnapshot = z.infer<typeof clusterSnapshotSchema>;
