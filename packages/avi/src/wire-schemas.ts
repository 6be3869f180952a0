import { z } from 'zod';

// Avi objects carry up to ~100 fields per the swagger; the schemas check the fields Ballast reads
// and keep every other one (`z.looseObject`), so nothing the controller sent is lost.

const ref = z.string();
const ipAddress = z.looseObject({ addr: z.string(), type: z.string().optional() });

/**
 * `OperationalStatus`: `state` is one of `AVI_OPER_STATES`.
 *
 * @example
 * ```ts
 * operationalStatusSchema.parse({ state: 'OPER_UP' });
 * ```
 */
export const operationalStatusSchema = z.looseObject({
  state: z.string().optional(),
  reason: z.array(z.string()).optional(),
  reason_code: z.number().optional(),
  reason_code_string: z.string().optional(),
  last_changed_time: z.looseObject({ secs: z.number(), usecs: z.number().optional() }).optional(),
});

/** Fields every Avi configuration object has. */
const objectBase = {
  uuid: z.string().min(1),
  url: z.string().optional(),
  name: z.string(),
  tenant_ref: ref.optional(),
  cloud_ref: ref.optional(),
  _last_modified: z.string().optional(),
};

/**
 * A virtual service (`/api/virtualservice`). Watch out: a plain GET returns `tls_ticket_key`
 * secrets; they are kept here and removed by `redactAviPayload` before anything reaches a model.
 *
 * @example
 * ```ts
 * const vs = virtualServiceSchema.parse({ uuid: 'virtualservice-1', name: 'vs-shop' });
 * ```
 */
export const virtualServiceSchema = z.looseObject({
  ...objectBase,
  enabled: z.boolean().optional(),
  traffic_enabled: z.boolean().optional(),
  type: z.string().optional(),
  services: z
    .array(
      z.looseObject({
        port: z.number().int(),
        port_range_end: z.number().int().optional(),
        enable_ssl: z.boolean().optional(),
      }),
    )
    .optional(),
  pool_ref: ref.optional(),
  pool_group_ref: ref.optional(),
  vsvip_ref: ref.optional(),
  se_group_ref: ref.optional(),
  application_profile_ref: ref.optional(),
});
/** A virtual service configuration object. */
export type VirtualService = z.infer<typeof virtualServiceSchema>;

/**
 * One server of a pool.
 *
 * @example
 * ```ts
 * poolServerSchema.parse({ ip: { addr: '10.0.0.1', type: 'V4' }, port: 80, enabled: true, ratio: 1 });
 * ```
 */
export const poolServerSchema = z.looseObject({
  ip: ipAddress,
  port: z.number().int().optional(),
  hostname: z.string().optional(),
  enabled: z.boolean().optional(),
  ratio: z.number().int().optional(),
});
/** A pool server. */
export type PoolServer = z.infer<typeof poolServerSchema>;

/**
 * A pool (`/api/pool`).
 *
 * @example
 * ```ts
 * const pool = poolSchema.parse({ uuid: 'pool-1', name: 'web', servers: [] });
 * ```
 */
export const poolSchema = z.looseObject({
  ...objectBase,
  enabled: z.boolean().optional(),
  default_server_port: z.number().int().optional(),
  lb_algorithm: z.string().optional(),
  servers: z.array(poolServerSchema).optional(),
  health_monitor_refs: z.array(ref).optional(),
});
/** A pool configuration object. */
export type Pool = z.infer<typeof poolSchema>;

/**
 * A pool group (`/api/poolgroup`): weighted pool members.
 *
 * @example
 * ```ts
 * poolGroupSchema.parse({ uuid: 'poolgroup-1', name: 'pg', members: [{ pool_ref: 'https://c/api/pool/pool-1', ratio: 1 }] });
 * ```
 */
export const poolGroupSchema = z.looseObject({
  ...objectBase,
  members: z.array(z.looseObject({ pool_ref: ref, ratio: z.number().optional() })).optional(),
});
/** A pool group. */
export type PoolGroup = z.infer<typeof poolGroupSchema>;

/**
 * A VS VIP (`/api/vsvip`).
 *
 * @example
 * ```ts
 * vsVipSchema.parse({ uuid: 'vsvip-1', name: 'vip', vip: [{ vip_id: '0', ip_address: { addr: '10.0.0.5', type: 'V4' } }] });
 * ```
 */
export const vsVipSchema = z.looseObject({
  ...objectBase,
  vip: z.array(z.looseObject({ vip_id: z.string().optional(), ip_address: ipAddress.optional() })).optional(),
});
/** A VS VIP. */
export type VsVip = z.infer<typeof vsVipSchema>;

/**
 * A service engine configuration object (`/api/serviceengine`). It has no `oper_status`: runtime
 * state comes from `/api/serviceengine-inventory`.
 *
 * @example
 * ```ts
 * serviceEngineSchema.parse({ uuid: 'se-1', name: 'Avi-se-1', enable_state: 'SE_STATE_ENABLED' });
 * ```
 */
export const serviceEngineSchema = z.looseObject({
  ...objectBase,
  enable_state: z.string().optional(),
  se_group_ref: ref.optional(),
  resources: z
    .looseObject({
      num_vcpus: z.number().optional(),
      memory: z.number().optional(),
      disk: z.number().optional(),
    })
    .optional(),
});
/** A service engine configuration object. */
export type ServiceEngine = z.infer<typeof serviceEngineSchema>;

/**
 * A service-engine group (`/api/serviceenginegroup`).
 *
 * @example
 * ```ts
 * serviceEngineGroupSchema.parse({ uuid: 'serviceenginegroup-1', name: 'Default-Group', max_scaleout_per_vs: 4 });
 * ```
 */
export const serviceEngineGroupSchema = z.looseObject({
  ...objectBase,
  max_scaleout_per_vs: z.number().int().optional(),
  max_vs_per_se: z.number().int().optional(),
  max_se: z.number().int().optional(),
});
/** A service-engine group. */
export type ServiceEngineGroup = z.infer<typeof serviceEngineGroupSchema>;

/**
 * A health monitor (`/api/healthmonitor`); `type` is one of `AVI_HEALTH_MONITOR_TYPES`.
 *
 * @example
 * ```ts
 * healthMonitorSchema.parse({ uuid: 'healthmonitor-1', name: 'System-HTTP', type: 'HEALTH_MONITOR_HTTP' });
 * ```
 */
export const healthMonitorSchema = z.looseObject({
  ...objectBase,
  type: z.string().optional(),
  send_interval: z.number().optional(),
  receive_timeout: z.number().optional(),
  successful_checks: z.number().optional(),
  failed_checks: z.number().optional(),
});
/** A health monitor. */
export type HealthMonitor = z.infer<typeof healthMonitorSchema>;

/**
 * A cloud (`/api/cloud`).
 *
 * @example
 * ```ts
 * cloudSchema.parse({ uuid: 'cloud-1', name: 'Default-Cloud', vtype: 'CLOUD_NONE' });
 * ```
 */
export const cloudSchema = z.looseObject({ ...objectBase, vtype: z.string().optional() });
/** A cloud. */
export type Cloud = z.infer<typeof cloudSchema>;

/**
 * A tenant (`/api/tenant`).
 *
 * @example
 * ```ts
 * tenantSchema.parse({ uuid: 'admin', name: 'admin' });
 * ```
 */
export const tenantSchema = z.looseObject({
  ...objectBase,
  local: z.union([z.boolean(), z.string()]).optional(),
});
/** A tenant. */
export type Tenant = z.infer<typeof tenantSchema>;

/**
 * The `health_score` block of an inventory item.
 *
 * @example
 * ```ts
 * healthScoreSchema.parse({ health_score: 87 });
 * ```
 */
export const healthScoreSchema = z.looseObject({
  health_score: z.number().optional(),
  anomaly_penalty: z.number().optional(),
  resources_penalty: z.number().optional(),
  security_penalty: z.number().optional(),
  performance_score: z.number().optional(),
});

const inventoryItem = <Config extends z.ZodType>(config: Config) =>
  z.looseObject({
    uuid: z.string().min(1),
    url: z.string().optional(),
    config,
    runtime: z
      .looseObject({ oper_status: operationalStatusSchema.optional(), percent_ses_up: z.number().optional() })
      .optional(),
    health_score: healthScoreSchema.optional(),
    alert: z.unknown().optional(),
    metrics: z.unknown().optional(),
  });

/**
 * An item of `/api/virtualservice-inventory`: config, runtime (oper status, placement) and health.
 *
 * @example
 * ```ts
 * virtualServiceInventorySchema.parse({ uuid: 'virtualservice-1', config: { uuid: 'virtualservice-1', name: 'vs' } });
 * ```
 */
export const virtualServiceInventorySchema = inventoryItem(virtualServiceSchema).extend({
  runtime: z
    .looseObject({
      oper_status: operationalStatusSchema.optional(),
      vip_summary: z
        .array(
          z.looseObject({
            vip_id: z.string().optional(),
            service_engine: z
              .array(z.looseObject({ uuid: z.string().optional(), url: z.string().optional() }))
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  pools: z.array(ref).optional(),
  poolgroups: z.array(ref).optional(),
});
/** A virtual-service inventory item. */
export type VirtualServiceInventory = z.infer<typeof virtualServiceInventorySchema>;

/**
 * An item of `/api/pool-inventory`.
 *
 * @example
 * ```ts
 * poolInventorySchema.parse({ uuid: 'pool-1', config: { uuid: 'pool-1', name: 'web' } });
 * ```
 */
export const poolInventorySchema = inventoryItem(poolSchema).extend({
  runtime: z
    .looseObject({
      oper_status: operationalStatusSchema.optional(),
      num_servers: z.number().optional(),
      num_servers_up: z.number().optional(),
      num_servers_enabled: z.number().optional(),
      servers: z
        .array(
          z.looseObject({
            ip_addr: ipAddress.optional(),
            port: z.number().optional(),
            hostname: z.string().optional(),
            oper_status: operationalStatusSchema.optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  virtualservices: z.array(ref).optional(),
});
/** A pool inventory item. */
export type PoolInventory = z.infer<typeof poolInventorySchema>;

/**
 * An item of `/api/serviceengine-inventory`.
 *
 * @example
 * ```ts
 * serviceEngineInventorySchema.parse({ uuid: 'se-1', config: { uuid: 'se-1', name: 'Avi-se-1' } });
 * ```
 */
export const serviceEngineInventorySchema = inventoryItem(
  serviceEngineSchema.extend({ vs_refs: z.array(ref).optional() }),
).extend({
  runtime: z
    .looseObject({
      oper_status: operationalStatusSchema.optional(),
      power_state: z.string().optional(),
      se_connected: z.boolean().optional(),
    })
    .optional(),
});
/** A service-engine inventory item. */
export type ServiceEngineInventory = z.infer<typeof serviceEngineInventorySchema>;

/**
 * One analytics series: a header and `{timestamp, value}` samples.
 *
 * @example
 * ```ts
 * metricSeriesSchema.parse({ header: { name: 'l4_client.avg_bandwidth' }, data: [{ timestamp: '2024-01-01T00:00:00Z', value: 1 }] });
 * ```
 */
export const metricSeriesSchema = z.looseObject({
  header: z.looseObject({
    name: z.string(),
    units: z.string().optional(),
    entity_uuid: z.string().optional(),
    statistics: z
      .looseObject({
        min: z.number().optional(),
        max: z.number().optional(),
        mean: z.number().optional(),
        trend: z.number().optional(),
        num_samples: z.number().optional(),
      })
      .optional(),
  }),
  data: z.array(z.looseObject({ timestamp: z.string(), value: z.number().nullable() })).default([]),
});
/** One analytics series. */
export type MetricSeries = z.infer<typeof metricSeriesSchema>;

/**
 * The answer of `GET /api/analytics/metrics/{entity}/{uuid}`.
 *
 * @example
 * ```ts
 * metricsResponseSchema.parse({ entity_uuid: 'virtualservice-1', series: [] });
 * ```
 */
export const metricsResponseSchema = z.looseObject({
  entity_uuid: z.string().optional(),
  metric_entity: z.string().optional(),
  step: z.number().optional(),
  limit: z.number().optional(),
  series: z.array(metricSeriesSchema).default([]),
});
/** A metrics answer. */
export type MetricsResponse = z.infer<typeof metricsResponseSchema>;

/**
 * The answer of `POST /api/analytics/metrics/collection`: series keyed by request id (or entity
 * uuid), then by entity uuid.
 *
 * @example
 * ```ts
 * metricsCollectionResponseSchema.parse({ series: { vsbw: { 'virtualservice-1': [] } } });
 * ```
 */
export const metricsCollectionResponseSchema = z.looseObject({
  series: z.record(z.string(), z.record(z.string(), z.array(metricSeriesSchema))).default({}),
});
/** A metrics collection answer. */
export type MetricsCollectionResponse = z.infer<typeof metricsCollectionResponseSchema>;

/**
 * The `POST /login` answer (cookies travel in `Set-Cookie`, never in this body).
 *
 * @example
 * ```ts
 * loginResponseSchema.parse({ version: { Version: '20.1.1' }, session_cookie_name: 'avi-sessionid' });
 * ```
 */
export const loginResponseSchema = z.looseObject({
  version: z.looseObject({ Version: z.string().optional() }).optional(),
  user: z.looseObject({ username: z.string().optional() }).optional(),
  tenants: z.array(z.looseObject({ uuid: z.string(), name: z.string() })).optional(),
  session_cookie_name: z.string().optional(),
});
/** The login answer. */
export type LoginResponse = z.infer<typeof loginResponseSchema>;

/**
 * The collection envelope of every list endpoint: `{count, results, next?}`.
 *
 * @example
 * ```ts
 * collectionEnvelopeSchema(poolSchema).parse({ count: 0, results: [] });
 * ```
 */
export const collectionEnvelopeSchema = <Item extends z.ZodType>(item: Item) =>
  z.looseObject({
    count: z.number().int().nonnegative().optional(),
    results: z.array(item),
    next: z.string().optional(),
  });
