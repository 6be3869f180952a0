import { z } from 'zod';

const percent = z.number().finite().min(0).max(100);
const uuid = z.string().min(1);

/**
 * A short summary of one recent analytics series (`/api/analytics/metrics/...`): its samples,
 * oldest first, and the values derived from them. Missing samples are left out, never stored as 0.
 *
 * @example
 * ```ts
 * const bandwidth: AviMetricSummary = aviMetricSummarySchema.parse({ values: [10, 12, 14], latest: 14, mean: 12 });
 * ```
 */
export const aviMetricSummarySchema = z.object({
  /** Samples, oldest first, in the unit named by the field that holds the summary. */
  values: z.array(z.number().finite()),
  latest: z.number().finite().optional(),
  mean: z.number().finite().optional(),
});

/**
 * A recent analytics series in short form.
 *
 * @example
 * ```ts
 * const none: AviMetricSummary = { values: [] };
 * ```
 */
export type AviMetricSummary = z.infer<typeof aviMetricSummarySchema>;

/**
 * The recent metrics of a virtual service: `l4_client.avg_bandwidth` (bits/s),
 * `l4_client.max_open_conns`, `l7_server.avg_application_response_time` (ms) and the share of
 * responses that were 5xx errors (percent, from `l7_client.pct_response_errors`).
 *
 * @example
 * ```ts
 * const metrics: AviVirtualServiceMetrics = { errorRate5xxPercent: { values: [0.5, 4, 9], latest: 9, mean: 4.5 } };
 * ```
 */
export const aviVirtualServiceMetricsSchema = z.object({
  bandwidthBitsPerSecond: aviMetricSummarySchema.optional(),
  openConnections: aviMetricSummarySchema.optional(),
  responseTimeMs: aviMetricSummarySchema.optional(),
  errorRate5xxPercent: aviMetricSummarySchema.optional(),
});

/**
 * Recent metrics of a virtual service.
 *
 * @example
 * ```ts
 * const empty: AviVirtualServiceMetrics = {};
 * ```
 */
export type AviVirtualServiceMetrics = z.infer<typeof aviVirtualServiceMetricsSchema>;

/**
 * A virtual service: its configuration refs resolved to uuids, its runtime state and health score
 * from `/api/virtualservice-inventory`, and its recent metrics.
 *
 * @example
 * ```ts
 * const vs: AviVirtualServiceSnapshot = aviVirtualServiceSnapshotSchema.parse({
 *   uuid: 'virtualservice-1', name: 'vs-shop', enabled: true, operState: 'OPER_UP', healthScore: 62,
 *   poolUuids: ['pool-1'], serviceEngineUuids: ['se-1'], metrics: {},
 * });
 * ```
 */
export const aviVirtualServiceSnapshotSchema = z.object({
  uuid,
  name: z.string().min(1),
  enabled: z.boolean(),
  /** `OperationalStatus.state` (`OPER_UP`, `OPER_DOWN`, …); `OPER_UNKNOWN` when not reported. */
  operState: z.string().min(1),
  /** Reasons the controller gives for the state. */
  operReasons: z.array(z.string()).default([]),
  /** 0–100; absent when the controller has not computed one. */
  healthScore: z.number().finite().min(0).max(100).optional(),
  /** Pools serving it (through `pool_ref` or its pool group). */
  poolUuids: z.array(uuid).default([]),
  poolGroupUuid: uuid.optional(),
  serviceEngineGroupUuid: uuid.optional(),
  /** Service engines it is placed on. */
  serviceEngineUuids: z.array(uuid).default([]),
  metrics: aviVirtualServiceMetricsSchema.default({}),
});

/**
 * A virtual service in an {@link AviSnapshot}.
 *
 * @example
 * ```ts
 * const isDown = (vs: AviVirtualServiceSnapshot) => vs.operState !== 'OPER_UP';
 * ```
 */
export type AviVirtualServiceSnapshot = z.infer<typeof aviVirtualServiceSnapshotSchema>;

/**
 * One server of a pool: its configuration (`enabled`, `ratio` 1–20) and, when the inventory
 * reports it, its runtime state.
 *
 * @example
 * ```ts
 * const server: AviPoolServer = aviPoolServerSchema.parse({ ip: '10.0.0.11', port: 8080, enabled: true, ratio: 1, operState: 'OPER_DOWN' });
 * ```
 */
export const aviPoolServerSchema = z.object({
  ip: z.string().min(1),
  port: z.number().int().min(0).max(65535).optional(),
  hostname: z.string().optional(),
  enabled: z.boolean(),
  ratio: z.number().int().min(1).max(20),
  operState: z.string().optional(),
  operReasons: z.array(z.string()).default([]),
});

/**
 * A pool server.
 *
 * @example
 * ```ts
 * const key = (server: AviPoolServer) => `${server.ip}:${server.port ?? ''}`;
 * ```
 */
export type AviPoolServer = z.infer<typeof aviPoolServerSchema>;

/**
 * A pool: servers, algorithm, health monitors, runtime state and health score.
 *
 * @example
 * ```ts
 * const pool: AviPoolSnapshot = aviPoolSnapshotSchema.parse({
 *   uuid: 'pool-1', name: 'pool-shop', enabled: true, operState: 'OPER_UP', lbAlgorithm: 'LB_ALGORITHM_LEAST_CONNECTIONS',
 *   servers: [{ ip: '10.0.0.11', port: 8080, enabled: true, ratio: 1 }],
 * });
 * ```
 */
export const aviPoolSnapshotSchema = z.object({
  uuid,
  name: z.string().min(1),
  enabled: z.boolean(),
  operState: z.string().min(1),
  operReasons: z.array(z.string()).default([]),
  healthScore: z.number().finite().min(0).max(100).optional(),
  lbAlgorithm: z.string().optional(),
  servers: z.array(aviPoolServerSchema).default([]),
  /** Health monitor names (or uuids when the name is unknown). */
  healthMonitors: z.array(z.string()).default([]),
});

/**
 * A pool in an {@link AviSnapshot}.
 *
 * @example
 * ```ts
 * const upServers = (pool: AviPoolSnapshot) => pool.servers.filter((s) => s.enabled && s.operState === 'OPER_UP');
 * ```
 */
export type AviPoolSnapshot = z.infer<typeof aviPoolSnapshotSchema>;

/**
 * A service engine: admin state (`enable_state`), runtime state, health score and recent CPU and
 * memory use (percent, from `se_stats.avg_cpu_usage` / `se_stats.avg_mem_usage`).
 *
 * @example
 * ```ts
 * const se: AviServiceEngineSnapshot = aviServiceEngineSnapshotSchema.parse({
 *   uuid: 'se-1', name: 'Avi-se-1', enableState: 'SE_STATE_ENABLED', operState: 'OPER_UP', cpuPercent: 91,
 *   virtualServiceUuids: ['virtualservice-1'],
 * });
 * ```
 */
export const aviServiceEngineSnapshotSchema = z.object({
  uuid,
  name: z.string().min(1),
  enableState: z.string().min(1),
  operState: z.string().min(1),
  powerState: z.string().optional(),
  serviceEngineGroupUuid: uuid.optional(),
  healthScore: z.number().finite().min(0).max(100).optional(),
  cpuPercent: percent.optional(),
  memoryPercent: percent.optional(),
  cpuSeries: aviMetricSummarySchema.optional(),
  virtualServiceUuids: z.array(uuid).default([]),
});

/**
 * A service engine in an {@link AviSnapshot}.
 *
 * @example
 * ```ts
 * const canHost = (se: AviServiceEngineSnapshot) => se.enableState === 'SE_STATE_ENABLED' && se.operState === 'OPER_UP';
 * ```
 */
export type AviServiceEngineSnapshot = z.infer<typeof aviServiceEngineSnapshotSchema>;

/**
 * A service-engine group: the placement limits the advice must respect.
 *
 * @example
 * ```ts
 * const group: AviServiceEngineGroupSnapshot = { uuid: 'serviceenginegroup-1', name: 'Default-Group', maxServiceEnginesPerVirtualService: 4 };
 * ```
 */
export const aviServiceEngineGroupSnapshotSchema = z.object({
  uuid,
  name: z.string().min(1),
  /** `max_scaleout_per_vs`. */
  maxServiceEnginesPerVirtualService: z.number().int().positive().optional(),
  /** `max_vs_per_se`. */
  maxVirtualServicesPerServiceEngine: z.number().int().positive().optional(),
});

/**
 * A service-engine group in an {@link AviSnapshot}.
 *
 * @example
 * ```ts
 * const limit = (group: AviServiceEngineGroupSnapshot) => group.maxServiceEnginesPerVirtualService ?? 4;
 * ```
 */
export type AviServiceEngineGroupSnapshot = z.infer<typeof aviServiceEngineGroupSnapshotSchema>;

/**
 * Everything Ballast knows about one Avi controller (one tenant) at one moment: the input of the
 * Avi advice and of its validator. Never holds credentials, cookies or key material.
 *
 * @example
 * ```ts
 * const snapshot: AviSnapshot = aviSnapshotSchema.parse({
 *   source: { controller: 'https://avi.example.com', version: '30.2.1', tenant: 'admin' },
 *   collectedAt: Date.now(), metricsStepSeconds: 300,
 *   virtualServices: [], pools: [], serviceEngines: [], serviceEngineGroups: [],
 * });
 * ```
 */
export const aviSnapshotSchema = z.object({
  source: z.object({
    /** The controller origin, without credentials. */
    controller: z.string().min(1),
    version: z.string().min(1),
    tenant: z.string().min(1),
  }),
  /** Epoch milliseconds. */
  collectedAt: z.number().finite(),
  /** Seconds between metric samples. */
  metricsStepSeconds: z.number().int().positive(),
  virtualServices: z.array(aviVirtualServiceSnapshotSchema),
  pools: z.array(aviPoolSnapshotSchema),
  serviceEngines: z.array(aviServiceEngineSnapshotSchema),
  serviceEngineGroups: z.array(aviServiceEngineGroupSnapshotSchema).default([]),
});

/**
 * A point-in-time view of an Avi controller's virtual services, pools and service engines.
 *
 * @example
 * ```ts
 * const hot = (snapshot: AviSnapshot) => snapshot.serviceEngines.filter((se) => (se.cpuPercent ?? 0) > 80);
 * ```
 */
export type AviSnapshot = z.infer<typeof aviSnapshotSchema>;
