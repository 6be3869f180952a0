import {
  type AviMetricSummary,
  type AviPoolSnapshot,
  type AviServiceEngineSnapshot,
  type AviSnapshot,
  type AviVirtualServiceSnapshot,
  aviSnapshotSchema,
  CollectorError,
} from '@ballast/core';
import type { AviClient, AviMetricsRequest, AviRequestOptions } from './avi-client';
import { refName, refUuid } from './refs';
import type { MetricSeries, PoolInventory } from './wire-schemas';

/** Options of {@link collectAvi}. */
export interface CollectAviOptions extends AviRequestOptions {
  client: AviClient;
  /** Seconds per metric sample. Default 300. */
  metricsStepSeconds?: number;
  /** Samples per metric. Default 12 (one hour at 300 s). */
  metricsSamples?: number;
  /** Clock for `collectedAt`. */
  now?: () => number;
}

/** The analytics metric ids the collector reads, by what they become in the snapshot. */
export const AVI_COLLECTED_METRICS = {
  bandwidthBitsPerSecond: 'l4_client.avg_bandwidth',
  openConnections: 'l4_client.max_open_conns',
  responseTimeMs: 'l7_server.avg_application_response_time',
  errorRate5xxPercent: 'l7_client.pct_response_errors',
  seCpuPercent: 'se_stats.avg_cpu_usage',
  seMemoryPercent: 'se_stats.avg_mem_usage',
} as const;

const vsMetrics = [
  ['bandwidthBitsPerSecond', AVI_COLLECTED_METRICS.bandwidthBitsPerSecond],
  ['openConnections', AVI_COLLECTED_METRICS.openConnections],
  ['responseTimeMs', AVI_COLLECTED_METRICS.responseTimeMs],
  ['errorRate5xxPercent', AVI_COLLECTED_METRICS.errorRate5xxPercent],
] as const;

/**
 * Collects an {@link AviSnapshot}: virtual services, pools and service engines from the three
 * `*-inventory` endpoints (config, oper state and health score in one read each, every page),
 * SE groups and health monitors for names and limits, and the recent metrics of every VS
 * (bandwidth, open connections, response time, response error rate) and SE (CPU, memory) in one
 * batch analytics call. Holds no secret: `tls_ticket_key` and every other config field stay out.
 *
 * @throws `CollectorError` when a read fails or the result does not form a valid snapshot.
 *
 * @example
 * ```ts
 * const snapshot = await collectAvi({ client, metricsStepSeconds: 300, metricsSamples: 12 });
 * for (const se of snapshot.serviceEngines) console.log(se.name, se.cpuPercent);
 * ```
 */
export async function collectAvi(options: CollectAviOptions): Promise<AviSnapshot> {
  const {
    client,
    metricsStepSeconds = 300,
    metricsSamples = 12,
    now = Date.now,
    ...requestOptions
  } = options;
  const read = { ...requestOptions, includeName: true };
  const [vsInventory, poolInventory, seInventory, seGroups, monitors] = await Promise.all([
    client.listVirtualServiceInventory(read),
    client.listPoolInventory(read),
    client.listServiceEngineInventory(read),
    client.listServiceEngineGroups({ ...read, fields: ['max_scaleout_per_vs', 'max_vs_per_se'] }),
    client.listHealthMonitors({ ...read, fields: ['type'] }),
  ]);
  const monitorNames = new Map(monitors.map((monitor) => [monitor.uuid, monitor.name]));

  const requests: AviMetricsRequest[] = [
    ...vsInventory.flatMap((vs) =>
      vsMetrics.map(([, metricId]) => ({
        id: `${vs.uuid}|${metricId}`,
        entity_uuid: vs.uuid,
        metric_entity: 'VSERVER_METRICS_ENTITY' as const,
        metric_id: metricId,
        step: metricsStepSeconds,
        limit: metricsSamples,
      })),
    ),
    ...seInventory.flatMap((se) =>
      [AVI_COLLECTED_METRICS.seCpuPercent, AVI_COLLECTED_METRICS.seMemoryPercent].map((metricId) => ({
        id: `${se.uuid}|${metricId}`,
        entity_uuid: se.uuid,
        metric_entity: 'SE_METRICS_ENTITY' as const,
        metric_id: metricId,
        step: metricsStepSeconds,
        limit: metricsSamples,
      })),
    ),
  ];
  const series =
    requests.length === 0 ? { series: {} } : await client.getMetricsCollection(requests, requestOptions);
  const summaryOf = (uuid: string, metricId: string): AviMetricSummary | undefined => {
    const found = series.series[`${uuid}|${metricId}`]?.[uuid]?.[0];
    return found === undefined ? undefined : summarize(found);
  };

  const serviceEnginesByVs = new Map<string, Set<string>>();
  for (const se of seInventory)
    for (const vsRef of se.config.vs_refs ?? []) {
      const set = serviceEnginesByVs.get(refUuid(vsRef)) ?? new Set<string>();
      set.add(se.uuid);
      serviceEnginesByVs.set(refUuid(vsRef), set);
    }

  const virtualServices: AviVirtualServiceSnapshot[] = vsInventory.map((vs) => {
    const config = vs.config;
    const placed = new Set(serviceEnginesByVs.get(vs.uuid) ?? []);
    for (const vip of vs.runtime?.vip_summary ?? [])
      for (const se of vip.service_engine ?? []) {
        const uuid = se.uuid ?? (se.url === undefined ? undefined : refUuid(se.url));
        if (uuid) placed.add(uuid);
      }
    const pools = (vs.pools ?? (config.pool_ref === undefined ? [] : [config.pool_ref])).map(refUuid);
    const metrics: AviVirtualServiceSnapshot['metrics'] = {};
    for (const [key, metricId] of vsMetrics) {
      const summary = summaryOf(vs.uuid, metricId);
      if (summary !== undefined) metrics[key] = summary;
    }
    return {
      uuid: vs.uuid,
      name: config.name,
      enabled: config.enabled !== false,
      operState: vs.runtime?.oper_status?.state ?? 'OPER_UNKNOWN',
      operReasons: vs.runtime?.oper_status?.reason ?? [],
      ...healthOf(vs.health_score?.health_score),
      poolUuids: [...new Set(pools)],
      ...(config.pool_group_ref === undefined ? {} : { poolGroupUuid: refUuid(config.pool_group_ref) }),
      ...(config.se_group_ref === undefined ? {} : { serviceEngineGroupUuid: refUuid(config.se_group_ref) }),
      serviceEngineUuids: [...placed].sort(),
      metrics,
    };
  });

  const pools: AviPoolSnapshot[] = poolInventory.map((pool) => ({
    uuid: pool.uuid,
    name: pool.config.name,
    enabled: pool.config.enabled !== false,
    operState: pool.runtime?.oper_status?.state ?? 'OPER_UNKNOWN',
    operReasons: pool.runtime?.oper_status?.reason ?? [],
    ...healthOf(pool.health_score?.health_score),
    ...(pool.config.lb_algorithm === undefined ? {} : { lbAlgorithm: pool.config.lb_algorithm }),
    servers: poolServers(pool),
    healthMonitors: (pool.config.health_monitor_refs ?? []).map(
      (ref) => refName(ref) ?? monitorNames.get(refUuid(ref)) ?? refUuid(ref),
    ),
  }));

  const serviceEngines: AviServiceEngineSnapshot[] = seInventory.map((se) => {
    const cpu = summaryOf(se.uuid, AVI_COLLECTED_METRICS.seCpuPercent);
    const memory = summaryOf(se.uuid, AVI_COLLECTED_METRICS.seMemoryPercent);
    return {
      uuid: se.uuid,
      name: se.config.name,
      enableState: se.config.enable_state ?? 'SE_STATE_ENABLED',
      operState: se.runtime?.oper_status?.state ?? 'OPER_UNKNOWN',
      ...(se.runtime?.power_state === undefined ? {} : { powerState: se.runtime.power_state }),
      ...(se.config.se_group_ref === undefined
        ? {}
        : { serviceEngineGroupUuid: refUuid(se.config.se_group_ref) }),
      ...healthOf(se.health_score?.health_score),
      ...(cpu?.latest === undefined ? {} : { cpuPercent: clampPercent(cpu.latest), cpuSeries: cpu }),
      ...(memory?.latest === undefined ? {} : { memoryPercent: clampPercent(memory.latest) }),
      virtualServiceUuids: (se.config.vs_refs ?? []).map(refUuid),
    };
  });

  const parsed = aviSnapshotSchema.safeParse({
    source: {
      controller: client.baseUrl,
      version: client.apiVersion ?? 'unknown',
      tenant: requestOptions.tenantUuid ?? requestOptions.tenant ?? 'admin',
    },
    collectedAt: now(),
    metricsStepSeconds,
    virtualServices,
    pools,
    serviceEngines,
    serviceEngineGroups: seGroups.map((group) => ({
      uuid: group.uuid,
      name: group.name,
      ...(positive(group.max_scaleout_per_vs)
        ? { maxServiceEnginesPerVirtualService: group.max_scaleout_per_vs }
        : {}),
      ...(positive(group.max_vs_per_se) ? { maxVirtualServicesPerServiceEngine: group.max_vs_per_se } : {}),
    })),
  });
  if (!parsed.success)
    throw new CollectorError({
      message: `Avi snapshot is invalid: ${parsed.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ')}`,
      source: 'avi',
      endpoint: 'collectAvi',
    });
  return parsed.data;
}

function poolServers(pool: PoolInventory): AviPoolSnapshot['servers'] {
  const runtimeByKey = new Map(
    (pool.runtime?.servers ?? []).map((server) => [
      `${server.ip_addr?.addr ?? ''}:${server.port ?? pool.config.default_server_port ?? ''}`,
      server,
    ]),
  );
  return (pool.config.servers ?? []).map((server) => {
    const port = server.port ?? pool.config.default_server_port;
    const runtime = runtimeByKey.get(`${server.ip.addr}:${port ?? ''}`);
    return {
      ip: server.ip.addr,
      ...(port === undefined ? {} : { port }),
      ...(server.hostname === undefined ? {} : { hostname: server.hostname }),
      enabled: server.enabled !== false,
      ratio: Math.min(20, Math.max(1, server.ratio ?? 1)),
      ...(runtime?.oper_status?.state === undefined ? {} : { operState: runtime.oper_status.state }),
      operReasons: runtime?.oper_status?.reason ?? [],
    };
  });
}

function summarize(series: MetricSeries): AviMetricSummary {
  const values = series.data
    .map((point) => point.value)
    .filter((value): value is number => value !== null && Number.isFinite(value));
  const latest = values.at(-1);
  return {
    values,
    ...(latest === undefined ? {} : { latest }),
    ...(values.length === 0 ? {} : { mean: values.reduce((sum, value) => sum + value, 0) / values.length }),
  };
}

function healthOf(score: number | undefined): { healthScore?: number } {
  return score === undefined || !Number.isFinite(score)
    ? {}
    : { healthScore: Math.min(100, Math.max(0, score)) };
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, value));
}

function positive(value: number | undefined): value is number {
  return value !== undefined && value > 0;
}
